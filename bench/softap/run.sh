#!/usr/bin/env bash
# `make bench` for SoftAP setup (release build): full `softap setup` runs against the simulator with 100 ms added per request; the
# median must stay within the sum of the round trips plus 100 ms. Usage: bench/softap/run.sh [runs] (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Measures what `make install` installs: the release build (`make bench` builds it first).
BIN=${BIN:-.build/release}
for tool in particlectl particlectl-net particlectl-sim; do
  [ -x "$BIN/$tool" ] || { echo "bench/softap: $BIN/$tool is missing; run make release first" >&2; exit 3; }
done
python3 bench/softap/run.py "$BIN" "${1:-10}"
