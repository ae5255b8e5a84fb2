#!/usr/bin/env bash
# `make bench` for the whole job: wall time of a full simulated `provision` (serial and SoftAP, login excluded),
# each in a fresh `particlectl sim all`, median of N runs. The simulated device "joins" Wi-Fi in 0.3 s and the
# fake cloud answers on loopback, so the rest is particlectl's own overhead: dialogue, HTTP, event stream.
# Usage: bench/provision/run.sh [runs]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${PARTICLECTL_BIN:-.build/debug}"
runs="${1:-7}"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

run_once() {   # $1 = serial | softap ; prints milliseconds
    "$bin/particlectl-sim" all --json --duration 120 >"$work/world.json" 2>/dev/null &
    local pid=$!
    for _ in $(seq 1 100); do [ -s "$work/world.json" ] && break; sleep 0.05; done
    field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/world.json"; }
    export PARTICLE_API_URL=$(field cloud_url) XDG_CONFIG_HOME="$work/config"
    echo dev-password | "$bin/particlectl" login --username dev@example.com --password-stdin >/dev/null
    local start end
    start=$(now_ms)
    if [ "$1" = serial ]; then
        echo "correct horse battery" | "$bin/particlectl" provision --port "$(field serial_port)" --ssid HomeNet --password-stdin --json >/dev/null
    else
        echo "correct horse battery" | "$bin/particlectl" provision --softap --address "$(field softap_tcp)" --ssid HomeNet --password-stdin --json >/dev/null
    fi
    end=$(now_ms)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -f "$work/world.json"
    echo $((end - start))
}

for transport in serial softap; do
    times=$(for _ in $(seq 1 "$runs"); do run_once "$transport"; done)
    printf 'provision over %-6s  median %5s ms  (runs: %s; includes the simulated 0.3 s Wi-Fi join)\n' \
        "$transport" "$(echo "$times" | median)" "$(echo $times)"
done
