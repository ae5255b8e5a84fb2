#!/usr/bin/env bash
# The demo: particlectl on a simulated USB bus (a Photon on /dev/ttyACM0 and a P2 in DFU mode), faked with umockdev
# so that the real libudev code path runs without hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug
echo "\$ particlectl serial list        (simulated USB bus: demo/usb-bus.umockdev)"
umockdev-run --device demo/usb-bus.umockdev -- "$bin/particlectl" serial list
echo
echo "\$ particlectl serial list --json"
umockdev-run --device demo/usb-bus.umockdev -- "$bin/particlectl" serial list --json
