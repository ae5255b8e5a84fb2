#!/usr/bin/env python3
"""`make bench` for the factory station, against `particlectl sim station` (simulated devices on ptys, fake cloud).

Prints:
  - wall time of `station run` for 1 device and for 16 devices (same kind of world, one run each) and their ratio
    (target: 16 devices in <= 1.3x the time of 1);
  - peak RSS of the station provisioning 64 devices at once (target: <= 64 MB);
  - per-device overhead of the station against `provision` for the same steps (one device);
  - cloud API requests per device, station vs. a single `provision`, and event-stream connections per station.

Usage: bench/station/run.py BIN_DIR   (the folder holding particlectl, particlectl-net, particlectl-sim)
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"


def start_world(devices):
    process = subprocess.Popen([f"{BIN}/particlectl-sim", "station", "--devices", str(devices), "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"sim station --devices {devices} printed nothing")
    return process, json.loads(line)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def requests(world):
    with urllib.request.urlopen(world["cloud_url"] + "/_sim/requests", timeout=10) as reply:
        return json.load(reply)


def environment(world, folder):
    env = dict(os.environ)
    env.update({"PARTICLE_API_URL": world["cloud_url"], "PARTICLE_AUTH": world["token"],
                "LINE_WIFI_PASSWORD": world["password"], "XDG_CONFIG_HOME": folder, "HOME": folder})
    return env


def station(world, folder, count):
    """Runs `station run` on every port of the world; returns its wall time in seconds."""
    ports = [device["port"] for device in world["devices"]]
    arguments = [f"{BIN}/particlectl", "station", "run", "--ledger", f"{folder}/station-{count}.sqlite",
                 "--ssid", world["ssid"], "--password-env", "LINE_WIFI_PASSWORD", "--name-template", "bench-{seq:03}",
                 "--count", str(count), "--concurrency", str(count), "--json"]
    for port in ports:
        arguments += ["--port", port]
    start = time.monotonic()
    # The front execs particlectl-net in place: the same process, so its rusage is the station's.
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment(world, folder))
    out, err = process.communicate(timeout=600)
    seconds = time.monotonic() - start
    if process.returncode != 0:
        raise SystemExit(f"station run on {count} device(s) failed ({process.returncode}): {err.strip()}")
    results = [json.loads(line) for line in out.splitlines() if '"step":"result"' in line]
    provisioned = sum(1 for event in results if event["outcome"] == "provisioned")
    if provisioned != count:
        raise SystemExit(f"station run provisioned {provisioned} of {count}")
    return seconds


def peak_rss_mb(world, folder, count):
    ports = [device["port"] for device in world["devices"]]
    arguments = [f"{BIN}/particlectl", "station", "run", "--ledger", f"{folder}/station-rss.sqlite",
                 "--ssid", world["ssid"], "--password-env", "LINE_WIFI_PASSWORD", "--name-template", "rss-{seq:03}",
                 "--count", str(count), "--concurrency", str(count), "--json"]
    for port in ports:
        arguments += ["--port", port]
    pid = os.posix_spawn(arguments[0], arguments, environment(world, folder),
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                                       (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"station run on {count} devices exited {os.waitstatus_to_exitcode(status)}")
    return usage.ru_maxrss / 1024


def provision_once(world, folder):
    """One `provision` of the world's first device: (seconds, API requests)."""
    before = len(requests(world))
    start = time.monotonic()
    result = subprocess.run([f"{BIN}/particlectl", "provision", "--port", world["devices"][0]["port"], "--ssid",
                             world["ssid"], "--password-stdin", "--name", "solo-1", "--json"],
                            input=world["password"] + "\n", capture_output=True, text=True,
                            env=environment(world, folder), timeout=300)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit(f"provision failed: {result.stderr.strip()}")
    return seconds, len(requests(world)) - before


def main():
    with tempfile.TemporaryDirectory() as folder:
        process, world = start_world(1)
        try:
            provision_seconds, provision_requests = provision_once(world, folder)
        finally:
            stop(process)

        process, world = start_world(1)
        try:
            one = station(world, folder, 1)
        finally:
            stop(process)

        process, world = start_world(16)
        try:
            sixteen = station(world, folder, 16)
            recorded = requests(world)
        finally:
            stop(process)
        streams = [r for r in recorded if "/events" in r["path"]]
        api = [r for r in recorded if "/events" not in r["path"] and not r["path"].startswith("/_sim")]

        process, world = start_world(64)
        try:
            rss = peak_rss_mb(world, folder, 64)
        finally:
            stop(process)

    ratio = sixteen / one
    print(f"station  1 device    {one * 1000:7.0f} ms")
    print(f"station 16 devices   {sixteen * 1000:7.0f} ms   ratio {ratio:.2f} (target <= 1.3) {'ok' if ratio <= 1.3 else 'OVER'}")
    print(f"station 64 devices   peak RSS {rss:.1f} MB (target <= 64 MB) {'ok' if rss <= 64 else 'OVER'}")
    print(f"provision 1 device   {provision_seconds * 1000:7.0f} ms   station overhead per device {(one - provision_seconds) * 1000:+.0f} ms")
    print(f"cloud API requests per device: station {len(api) / 16:.1f}, provision {provision_requests} "
          f"{'ok' if len(api) / 16 <= provision_requests else 'OVER'}")
    print(f"event-stream connections for 16 devices: {len(streams)} (target 1) {'ok' if len(streams) <= 1 else 'OVER'}")
    # Several stations on one ledger: PostgreSQL against SQLite (bench/station/postgres.py).
    sys.stdout.flush()
    subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "postgres.py"), BIN],
                   check=True)


if __name__ == "__main__":
    main()
