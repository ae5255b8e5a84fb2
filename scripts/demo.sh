#!/usr/bin/env bash
# make demo: the bench technician's job on the simulated world — no hardware, no account.
#   1. USB discovery on a faked USB bus (umockdev, real libudev);
#   2. `particlectl sim all`: a fake cloud, an Argon on a pseudo-terminal, a Photon's SoftAP;
#   3. login, then `provision` over serial (with functionVarPub flashed and verified) and over SoftAP;
#   4. flash and verify functionVarPub on the SoftAP Photon, then use it through the cloud.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/debug"
ctl="$bin/particlectl"
work=$(mktemp -d)
world_pid=""
cleanup() {
    [ -n "$world_pid" ] && kill "$world_pid" 2>/dev/null && wait "$world_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "USB discovery (a Photon and a P2 in DFU mode on a faked USB bus)"
show "particlectl serial list"
umockdev-run --device demo/usb-bus.umockdev -- "$ctl" serial list

step "Starting the simulated world"
"$bin/particlectl-sim" all --json --duration 600 >"$work/world.json" 2>"$work/world.log" &
world_pid=$!
for _ in $(seq 1 100); do [ -s "$work/world.json" ] && break; sleep 0.1; done
[ -s "$work/world.json" ] || { echo "the simulated world did not start:"; cat "$work/world.log"; exit 1; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/world.json"; }
cloud=$(field cloud_url); port=$(field serial_port); softap=$(field softap_tcp); photon=$(field softap_device_id)
echo "fake cloud $cloud · serial device $port · SoftAP $softap · Wi-Fi network HomeNet"
export PARTICLE_API_URL="$cloud" XDG_CONFIG_HOME="$work/config"
wifi_password="correct horse battery"   # the simulated network's password (not a real secret)

step "Log in (the password comes from stdin, never from the command line)"
show "particlectl login --username dev@example.com --password-stdin"
echo "dev-password" | "$ctl" login --username dev@example.com --password-stdin

step "Provision the Argon over USB serial, name it and flash functionVarPub"
show "particlectl provision --port $port --ssid HomeNet --password-stdin --name bench-1 --firmware functionVarPub"
echo "$wifi_password" | "$ctl" provision --port "$port" --ssid HomeNet --password-stdin --name bench-1 --firmware functionVarPub

step "Provision the Photon over its SoftAP"
show "particlectl provision --softap --address $softap --ssid HomeNet --password-stdin"
echo "$wifi_password" | "$ctl" provision --softap --address "$softap" --ssid HomeNet --password-stdin

step "Flash and verify functionVarPub on the Photon"
show "particlectl firmware flash $photon functionVarPub --verify"
"$ctl" firmware flash "$photon" functionVarPub --verify

step "Use it through the cloud"
show "particlectl cloud call $photon setColor 255,0,0"
"$ctl" cloud call "$photon" setColor 255,0,0
show "particlectl cloud get $photon sensor"
"$ctl" cloud get "$photon" sensor
show "particlectl cloud devices"
"$ctl" cloud devices

step "What the simulated world saw"
cat "$work/world.log"
echo
echo "Done: two devices provisioned, functionVarPub flashed and verified."
