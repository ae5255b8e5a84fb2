#!/usr/bin/env bash
# `make bench` for USB control requests (release build, what `make install` installs), against one simulated device
# that has both its serial console (`particlectl sim device`) and its control endpoint (scripts/test/umockdev-usb.py
# under umockdev): `usb identify` vs `serial identify` cold-process wall time, and local firmware update throughput
# with 1 ms added to every control transfer. Usage: bench/usb/run.sh [identify runs] (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release}
for tool in particlectl particlectl-net particlectl-sim; do
  [ -x "$BIN/$tool" ] || { echo "bench/usb: $BIN/$tool is missing; run make release first" >&2; exit 3; }
done
/usr/bin/python3 bench/usb/run.py "$BIN" "${1:-30}"
