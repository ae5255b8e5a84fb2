#!/usr/bin/env python3
"""`make bench` for the ledger on PostgreSQL: 4 stations x 16 simulated devices at once, every step recorded, on one
PostgreSQL database against the same on one SQLite file (target: PostgreSQL <= 1.2x SQLite's wall time), and the
ledger's round trips (statements, transactions) per device on PostgreSQL.

A PostgreSQL server is started for the run in a temporary folder on a free loopback port (as the `postgres` user
through runuser when run as root, since PostgreSQL refuses root), with pg_stat_statements to count statements, and
stopped at the end.

Single runs on 2 shared cores swing by a quarter, so the bench runs 5 paired rounds (SQLite, then PostgreSQL on a
new database) and reports the median ratio.

Usage: bench/station/postgres.py BIN_DIR [--statements] [--rounds=N]   (BIN_DIR: the folder holding particlectl,
particlectl-net, particlectl-sim; --statements: also each statement's calls per device, from pg_stat_statements;
--rounds: paired rounds, default 5)
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ARGUMENTS = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
BIN = ARGUMENTS[0] if ARGUMENTS else ".build/debug"
STATEMENTS = "--statements" in sys.argv[1:]
ROUNDS = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--rounds=")), 5)

# The simulated world is started and stopped as bench/station/run.py does (same folder), on the same executables.
import run as station_bench  # noqa: E402
station_bench.BIN = BIN
start_world, stop = station_bench.start_world, station_bench.stop

STATIONS = 4
PER_STATION = 16
USER = "bench"
PASSWORD = "bench-ledger-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
        if not bins:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = os.path.dirname(bins[0])
        self.folder = tempfile.mkdtemp(prefix="bench-pg-")
        self.port = free_port()
        self.prefix = []
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        pwfile = os.path.join(self.folder, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if self.prefix:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self.run("initdb", "-D", f"{self.folder}/data", "-U", USER, "-A", "scram-sha-256", f"--pwfile={pwfile}", "--no-sync")
        self.run("pg_ctl", "-D", f"{self.folder}/data", "-l", f"{self.folder}/log", "-w", "-t", "60", "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                 "-c shared_preload_libraries=pg_stat_statements -c max_connections=200", "start")

    def run(self, tool, *arguments):
        subprocess.run(self.prefix + [f"{self.bin}/{tool}", *arguments], check=True, capture_output=True, timeout=120,
                       cwd="/")

    def sql(self, statement, database="postgres"):
        result = subprocess.run(self.prefix + [f"{self.bin}/psql", "-h", self.folder, "-p", str(self.port), "-U", USER,
                                               "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
                                check=True, capture_output=True, text=True, timeout=60, cwd="/",
                                env={**os.environ, "PGPASSWORD": PASSWORD})
        return result.stdout.strip()

    def url(self, database):
        return f"postgres://{USER}@127.0.0.1:{self.port}/{database}"

    def stop(self):
        try:
            self.run("pg_ctl", "-D", f"{self.folder}/data", "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def stations(world, folder, ledger):
    """4 `station run` processes at once, 16 ports each; the wall time until all have finished."""
    env = dict(os.environ)
    env.update({"PARTICLE_API_URL": world["cloud_url"], "PARTICLE_AUTH": world["token"],
                "LINE_WIFI_PASSWORD": world["password"], "XDG_CONFIG_HOME": folder, "HOME": folder,
                "PGPASSWORD": PASSWORD})
    ports = [device["port"] for device in world["devices"]]
    running = []
    start = time.monotonic()
    for index in range(STATIONS):
        mine = ports[index * PER_STATION:(index + 1) * PER_STATION]
        arguments = [f"{BIN}/particlectl", "station", "run", "--ledger", ledger, "--station", f"bench-{index + 1}",
                     "--ssid", world["ssid"], "--password-env", "LINE_WIFI_PASSWORD", "--name-template",
                     "bench-{seq:03}", "--count", str(len(mine)), "--concurrency", str(len(mine)), "--json"]
        for port in mine:
            arguments += ["--port", port]
        running.append(subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    provisioned = 0
    for process in running:
        out, err = process.communicate(timeout=900)
        if process.returncode != 0:
            raise SystemExit(f"station run failed ({process.returncode}): {err.strip()}")
        provisioned += sum(1 for line in out.splitlines()
                           if '"step":"result"' in line and '"outcome":"provisioned"' in line)
    seconds = time.monotonic() - start
    if provisioned != STATIONS * PER_STATION:
        raise SystemExit(f"provisioned {provisioned} of {STATIONS * PER_STATION}")
    return seconds


def one_round(server, folder, round_number, devices):
    """One paired round: SQLite on a new file, then PostgreSQL on a new database. Returns (sqlite s, postgres s,
    statements, transactions, distinct names, per-statement breakdown)."""
    sqlite_path = f"{folder}/line-{round_number}.sqlite"
    # The ledger is made before the stations start, on both back-ends (as the README advises for a line).
    subprocess.run([f"{BIN}/particlectl", "station", "migrate", "--ledger", sqlite_path],
                   check=True, capture_output=True, timeout=60)
    process, world = start_world(devices)
    try:
        sqlite = stations(world, folder, sqlite_path)
    finally:
        stop(process)

    database = f"line{round_number}"
    server.sql(f"CREATE DATABASE {database}")
    server.sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database)
    ledger = server.url(database)
    subprocess.run([f"{BIN}/particlectl", "station", "migrate", "--ledger", ledger], check=True,
                   capture_output=True, env={**os.environ, "PGPASSWORD": PASSWORD}, timeout=60)
    server.sql("SELECT pg_stat_statements_reset()", database)
    server.sql("SELECT pg_stat_reset()", database)
    process, world = start_world(devices)
    try:
        postgres = stations(world, folder, ledger)
    finally:
        stop(process)
    statements = int(server.sql(
        "SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        f"WHERE d.datname = '{database}' AND query NOT ILIKE '%pg_stat_%'", database))
    transactions = int(server.sql(
        f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{database}'", database))
    names = int(server.sql("SELECT COUNT(DISTINCT name) FROM names", database))
    breakdown = server.sql(
        "SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements s "
        f"JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '{database}' AND query NOT ILIKE '%pg_stat_%' "
        "ORDER BY calls DESC", database) if STATEMENTS else ""
    return sqlite, postgres, statements, transactions, names, breakdown


def main():
    devices = STATIONS * PER_STATION
    server = Server()
    rounds = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for number in range(1, ROUNDS + 1):
                rounds.append(one_round(server, folder, number, devices))
    finally:
        server.stop()

    # Single runs on 2 shared cores swing by a quarter: the median of the paired rounds' ratios is the figure.
    ratios = sorted(postgres / sqlite for sqlite, postgres, *_ in rounds)
    ratio = ratios[len(ratios) // 2]
    middle = min(rounds, key=lambda r: abs(r[1] / r[0] - ratio))
    sqlite, postgres, statements, transactions, names, breakdown = middle
    print(f"ledger {STATIONS} stations x {PER_STATION} devices  SQLite     {sqlite * 1000:7.0f} ms   (median round of {ROUNDS})")
    print(f"ledger {STATIONS} stations x {PER_STATION} devices  PostgreSQL {postgres * 1000:7.0f} ms   "
          f"ratio {ratio:.2f} (target <= 1.2) {'ok' if ratio <= 1.2 else 'OVER'}; "
          f"every round: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"PostgreSQL round trips per device: {statements / devices:.1f} statements, "
          f"{transactions / devices:.1f} transactions; {names} distinct names for {devices} devices "
          f"{'ok' if names == devices else 'DUPLICATES'}")
    for line in breakdown.splitlines():
        calls, _, query = line.partition("|")
        print(f"  {int(calls) / devices:5.2f}/device  {query[:150]}")


if __name__ == "__main__":
    main()
