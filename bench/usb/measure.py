#!/usr/bin/python3
"""Runs inside scripts/test/umockdev-usb.py (under its preload): `usb identify` and `serial identify` of the same
simulated device, each a cold process, in paired rounds with a rotating order; prints the medians.

Usage: measure.py PARTICLECTL PORT RUNS
"""
import statistics, subprocess, sys, time


def main():
    particlectl, port, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    commands = {
        "particlectl usb identify": [particlectl, "usb", "identify", "--device", "1-1"],
        "particlectl serial identify": [particlectl, "serial", "identify", "--port", port],
    }
    for name, command in commands.items():  # warm the page cache, and check that both work
        result = subprocess.run(command, capture_output=True)
        if result.returncode != 0:
            sys.exit(f"{name} failed: {result.stderr.decode().strip()}")
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
    print(f"usb vs serial identify, cold process, median of {runs} paired runs each (both under umockdev's preload):")
    for name, value in medians.items():
        print(f"  {name:<30} {value:7.2f} ms")
    usb, serial = medians[names[0]], medians[names[1]]
    paired = statistics.median(u / s for u, s in zip(times[names[0]], times[names[1]]))
    print(f"  usb identify / serial identify = {usb / serial:5.2f}x   (median of paired ratios {paired:.2f}x; usb "
          f"identify hands over to particlectl-net and asks 4 requests, serial identify is the front's fast path)")


if __name__ == "__main__":
    main()
