#!/usr/bin/env bash
# `make bench` for the serial console: `serial identify` of the particlectl that `make install` installs (make bench
# installs it into a scratch DESTDIR first and passes its path), cold-process medians of paired runs beside a tiny C
# program and a Python termios script doing the same `i` round trip against the same simulated device.
# Usage: bench/serial/run.sh INSTALLED_PARTICLECTL [runs]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
particlectl=${1:?usage: bench/serial/run.sh INSTALLED_PARTICLECTL [runs] (make bench passes the installed front)}
# The simulated device is the same for all three contestants: the debug build `make bench` depends on is fine.
python3 bench/serial/run.py "$particlectl" .build/debug/particlectl-sim "${2:-100}"
