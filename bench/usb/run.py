#!/usr/bin/python3
"""`make bench` for USB control requests. One simulated Argon: its serial console on a pty (`particlectl-sim device`)
and its USB control endpoint (scripts/test/umockdev-usb.py, `tty=` pairs the two as one device, as libudev sees real
hardware). Measures
  1. `particlectl usb identify` vs `particlectl serial identify`, cold processes, paired rounds in rotating order
     (both run under the same umockdev preload, so its cost hits both alike), medians;
  2. `particlectl flash --local` throughput with 1 ms added to every control transfer (`delay_ms=1`): bytes/s from
     START to FINISH as the simulated device saw it, with the chunk size and the most requests in flight.

Usage: bench/usb/run.py BIN_DIR [identify runs]
"""
import os, re, subprocess, sys, tempfile, zlib

DEVICE_ID = "e00fce680123456789abcd00"
IMAGE_BYTES = 32 * 1024


def main():
    bin_dir = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    harness = os.path.join(root, "scripts/test/umockdev-usb.py")
    particlectl = os.path.join(bin_dir, "particlectl")
    sim = subprocess.Popen([os.path.join(bin_dir, "particlectl-sim"), "device", "--platform", "argon", "--id", DEVICE_ID],
                           stdout=subprocess.PIPE, text=True)
    try:
        first = sim.stdout.readline().strip()
        if not first.startswith("port: "):
            sys.exit(f"bench/usb: the simulated device did not start: {first!r}")
        pty = first[len("port: "):]
        spec = f"platform=12,id={DEVICE_ID},tty={pty}"
        measured = subprocess.run(["/usr/bin/python3", harness, "--device", spec, "--", "/usr/bin/python3",
                                   os.path.join(here, "measure.py"), particlectl, pty, str(runs)],
                                  capture_output=True, text=True, timeout=600)
        if measured.returncode != 0:
            sys.exit(f"bench/usb: identify runs failed: {measured.stderr.strip()}")
        sys.stdout.write(measured.stdout)
    finally:
        sim.terminate()
        sim.wait(timeout=5)

    # A user-part image as the simulated device checks it: payload, then its big-endian CRC-32.
    payload = bytes((i * 31 + 7) & 0xFF for i in range(IMAGE_BYTES - 4))
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as image:
        image.write(payload + zlib.crc32(payload).to_bytes(4, "big"))
    try:
        flashed = subprocess.run(["/usr/bin/python3", harness, "--device", "platform=12,delay_ms=1,timing=1", "--",
                                  particlectl, "flash", "--local", image.name, "--json"],
                                 capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(image.name)
    line = next((l for l in flashed.stderr.splitlines() if "firmware update:" in l), None)
    if flashed.returncode != 0 or line is None:
        sys.exit(f"bench/usb: flash --local failed ({flashed.returncode}): {flashed.stderr.strip()}")
    match = re.search(r"firmware update: (\d+) bytes in ([\d.]+) ms \((\d+) bytes/s\), (\d+) DATA requests of up to "
                      r"(\d+) bytes, at most (\d+) in flight, (\d+) control transfers", line)
    if not match:
        sys.exit(f"bench/usb: unexpected timing line {line!r}")
    size, ms, rate, chunks, chunk, in_flight, transfers = match.groups()
    print(f"flash --local, 1 ms per control transfer: {size} bytes in {float(ms):.0f} ms = {int(rate)} bytes/s "
          f"({int(rate) / 1024:.1f} KiB/s); chunk {chunk} bytes x {chunks}, at most {in_flight} request(s) in flight, "
          f"{transfers} control transfers ({int(transfers) / int(chunks):.1f} per chunk; DATA is CHECKed after 2, 2, 5 … ms, "
          f"FirmwareUpdate.dataCheckIntervals)")


if __name__ == "__main__":
    main()
