#!/usr/bin/env python3
"""`make bench` for the serial console: `particlectl serial identify` against the simulated device, each run a cold
process, beside the same round trip by a tiny C program and by a Python termios script. The runs are paired: each
round runs every contestant once, in a rotating order, so that load on the machine hits them alike. Prints medians
and ratios.

Usage: bench/serial/run.py PARTICLECTL PARTICLECTL_SIM [runs]
"""
import os, statistics, subprocess, sys, tempfile, time

def elf_kind(path):
    """What the loader has to do before main: a position-independent executable is relocated at start-up."""
    with open(path, "rb") as f:
        header = f.read(18)
    kind = int.from_bytes(header[16:18], "little") if header[:4] == b"\x7fELF" else None
    return {2: "fixed-address executable", 3: "position-independent executable"}.get(kind, "not an ELF executable")

def main():
    particlectl, simulator = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    here = os.path.dirname(os.path.abspath(__file__))
    c_binary = os.path.join(tempfile.gettempdir(), "particlectl-bench-identify")
    subprocess.run(["cc", "-O2", "-o", c_binary, os.path.join(here, "identify.c")], check=True)

    sim = subprocess.Popen([simulator, "device"], stdout=subprocess.PIPE, text=True)
    try:
        first = sim.stdout.readline().strip()
        if not first.startswith("port: "):
            sys.exit(f"simulator did not start: {first!r}")
        port = first[len("port: "):]
        commands = {
            "particlectl serial identify": [particlectl, "serial", "identify", "--port", port],
            "C (termios)": [c_binary, port],
            "Python (termios)": [sys.executable, os.path.join(here, "identify.py"), port],
        }
        for command in commands.values():
            subprocess.run(command, check=True, capture_output=True)  # warm the page cache
        times = {name: [] for name in commands}
        names = list(commands)
        for round_index in range(runs):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.perf_counter()
                result = subprocess.run(commands[name], capture_output=True)
                times[name].append((time.perf_counter() - start) * 1000)
                if result.returncode != 0:
                    sys.exit(f"{name} failed: {result.stderr.decode().strip()}")
        medians = {name: statistics.median(values) for name, values in times.items()}
        swift, c, python = (medians[name] for name in commands)
        print(f"serial identify, cold process, median of {runs} paired runs each ({particlectl}, {elf_kind(particlectl)}):")
        for name, value in medians.items():
            print(f"  {name:<30} {value:7.2f} ms")
        names = list(commands)
        paired = statistics.median(s / b for s, b in zip(times[names[0]], times[names[1]]))
        verdict = "met" if swift / c <= 4 else "NOT met"
        print(f"  installed particlectl / C = {swift / c:5.1f}x   (median of paired ratios {paired:.1f}x; target: <= 4x, {verdict})")
        print(f"  installed particlectl / Python = {swift / python:5.2f}x  (target: < 0.25x)")
    finally:
        sim.terminate()
        sim.wait(timeout=5)

if __name__ == "__main__":
    main()
