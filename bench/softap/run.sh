#!/usr/bin/env bash
# `make bench` for SoftAP setup: full `softap setup` runs against the simulator with 100 ms added per request; the
# median must stay within the sum of the round trips plus 100 ms. Usage: bench/softap/run.sh [runs] (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product particlectl >&2
swift build --product particlectl-sim >&2
python3 bench/softap/run.py .build/debug "${1:-10}"
