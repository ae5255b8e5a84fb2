#!/usr/bin/python3
"""`make bench` for the station dashboard: 64 simulated devices provisioned at once while headless Chromium shows
`station run --dashboard`.

Prints:
  - update latency, from a station event (a step starting, a device's result; the time the station stamped on it) to
    the tile showing it in the browser (the page's DOM, observed by a MutationObserver, on the same clock): median,
    95th percentile and worst (target: <= 250 ms);
  - the station process's CPU while idle with the page open (every slot ended, the event stream still connected),
    over 10 s (target: ~0).

Usage: bench/dashboard/run.py BIN_DIR   (the folder holding particlectl, particlectl-net, particlectl-sim)
Needs Debian's chromium, chromium-driver and python3-selenium (`make test` installs them).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
DEVICES = 64
IDLE_SECONDS = 10
TICKS = os.sysconf("SC_CLK_TCK")

# Records (slot, state, step, epoch ms) whenever a tile's state or step changes in the DOM.
OBSERVE = """
window.__records = [];
const last = {};
const snap = () => {
  const now = Date.now();
  for (const t of document.querySelectorAll('.tile')) {
    const line = t.querySelector('.step');
    const step = line && line.dataset.step !== undefined ? line.dataset.step : null;
    const key = t.dataset.state + '|' + step;
    if (last[t.dataset.slot] !== key) {
      last[t.dataset.slot] = key;
      window.__records.push([t.dataset.slot, t.dataset.state, step, now]);
    }
  }
};
new MutationObserver(snap).observe(document.getElementById('tiles'), {childList: true, subtree: true});
snap();
"""

RESULT_STATE = {"provisioned": "done", "failed": "failed", "interrupted": "interrupted", "skipped": "skipped"}


def simulator(world, path, body=None):
    request = urllib.request.Request(world["cloud_url"] + path, method="POST" if body is not None else "GET",
                                     data=body.encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.read()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def epoch(stamp):
    return datetime.fromisoformat(stamp).timestamp()


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1920,1080"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def latencies(events, records):
    """For each event the tile can show, the time until the tile first showed it (None when a later change of the
    same slot overtook it before it was drawn)."""
    by_slot = {}
    for slot, state, step, millis in records:
        by_slot.setdefault(slot, []).append((millis / 1000, state, step))
    found, overtaken = [], 0
    for event in events:
        slot = event.get("slot")
        if slot is None:
            continue
        if event["outcome"] == "started":
            target = ("working", event["step"])
        elif event["step"] == "result" and event["outcome"] in RESULT_STATE:
            target = (RESULT_STATE[event["outcome"]], None)
        else:
            continue
        at = epoch(event["time"])
        shown = next((t for t, state, step in by_slot.get(slot, [])
                      if t >= at - 0.002 and state == target[0] and (target[1] is None or step == target[1])), None)
        if shown is None:
            overtaken += 1
        else:
            found.append(max(0.0, shown - at))
    return found, overtaken


def main():
    with tempfile.TemporaryDirectory() as folder:
        world_process = subprocess.Popen([f"{BIN}/particlectl-sim", "station", "--devices", str(DEVICES), "--json"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        station = None
        driver = None
        try:
            world = json.loads(world_process.stdout.readline())
            # The cloud answers slowly until the page is open, so the browser sees every slot's work from the start.
            simulator(world, "/_sim/faults", json.dumps({"latency_ms": 3000}))
            env = dict(os.environ, PARTICLE_API_URL=world["cloud_url"], PARTICLE_AUTH=world["token"],
                       LINE_WIFI_PASSWORD=world["password"], XDG_CONFIG_HOME=folder, HOME=folder)
            arguments = [f"{BIN}/particlectl", "station", "run", "--ledger", f"{folder}/station.sqlite",
                         "--ssid", world["ssid"], "--password-env", "LINE_WIFI_PASSWORD",
                         "--name-template", "dash-{seq:03}", "--concurrency", str(DEVICES),
                         "--dashboard", "127.0.0.1:0", "--json"]
            for device in world["devices"]:
                arguments += ["--port", device["port"]]
            driver = browser()
            station = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            url = None
            while url is None:
                line = station.stderr.readline()
                if not line:
                    raise SystemExit("the station printed no dashboard URL")
                if line.startswith("particlectl: dashboard at "):
                    url = line.strip().removeprefix("particlectl: dashboard at ")
            events, results = [], threading.Event()
            ended = set()

            def read():
                for raw in station.stdout:
                    event = json.loads(raw)
                    events.append(event)
                    if event["step"] == "result":
                        ended.add(event["slot"])
                        if len(ended) == DEVICES:
                            results.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            driver.get(url)
            deadline = time.monotonic() + 60
            while driver.execute_script("return document.getElementById('link').textContent") != "live":
                if time.monotonic() > deadline:
                    raise SystemExit("the dashboard's event stream never connected")
                time.sleep(0.05)
            driver.execute_script(OBSERVE)
            simulator(world, "/_sim/faults", "{}")
            if not results.wait(timeout=300):
                raise SystemExit(f"only {len(ended)} of {DEVICES} slots ended in 300 s")
            time.sleep(1)
            records = driver.execute_script("return window.__records")
            found, overtaken = latencies(list(events), records)

            # Idle: every slot ended, the page still open on its event stream.
            before = cpu_seconds(station.pid)
            time.sleep(IDLE_SECONDS)
            idle = (cpu_seconds(station.pid) - before) / IDLE_SECONDS * 100
            still_live = driver.execute_script("return document.getElementById('link').textContent") == "live"
        finally:
            if driver is not None:
                driver.quit()
            if station is not None:
                station.terminate()
                try:
                    station.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    station.kill()
            world_process.terminate()
            world_process.wait(timeout=20)

    if not found:
        raise SystemExit("no tile change matched a station event")
    found.sort()
    median = statistics.median(found) * 1000
    p95 = found[min(len(found) - 1, int(len(found) * 0.95))] * 1000
    worst = found[-1] * 1000
    print(f"dashboard {DEVICES} slots   update latency median {median:.0f} ms, p95 {p95:.0f} ms, worst {worst:.0f} ms "
          f"over {len(found)} changes ({overtaken} overtaken by a later change before drawn) "
          f"(target <= 250 ms) {'ok' if p95 <= 250 else 'OVER'}")
    print(f"dashboard idle          station CPU {idle:.2f}% over {IDLE_SECONDS} s with the page open "
          f"({'stream live' if still_live else 'stream NOT live'}) (target ~0) {'ok' if idle < 1 else 'OVER'}")
    return 0 if p95 <= 250 and idle < 1 else 2


if __name__ == "__main__":
    sys.exit(main())
