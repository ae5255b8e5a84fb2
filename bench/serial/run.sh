#!/usr/bin/env bash
# `make bench` for the serial console. Builds particlectl the way it ships for a factory (release, Swift runtime and
# Foundation linked statically: no dynamic symbol resolution at start-up) into its own scratch folder, then runs
# run.py: `serial identify` cold-process medians beside a tiny C program and a Python termios script.
# Usage: bench/serial/run.sh [runs]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=.build/bench-static
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product particlectl >&2
# The simulated device is the same for all three contestants: the debug build `make bench` depends on is fine.
python3 bench/serial/run.py "$scratch/release/particlectl" .build/debug/particlectl-sim "${1:-100}"
