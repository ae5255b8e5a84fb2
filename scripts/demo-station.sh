#!/usr/bin/env bash
# make demo-station: the factory station on a simulated hub — no hardware, no account.
#   1. `particlectl sim station`: 8 Argons in listening mode on pseudo-terminals and the fake cloud; one of them is
#      faulty (DEMO_STATION_FAULT, default 6=wrong-wifi: it takes the credentials but never comes online);
#   2. each port answers `serial identify`;
#   3. `particlectl station run` provisions the 8 concurrently into a ledger (one slot per port);
#   4. `particlectl station report` shows what the ledger recorded, the failure with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
# DEMO_BIN: the folder holding the executables (the build by default; `make deb-check` runs the installed ones).
bin="${DEMO_BIN:-$PWD/.build/debug}"
ctl="$bin/particlectl"
sim="$bin/particlectl-sim"
devices=8
fault="${DEMO_STATION_FAULT:-6=wrong-wifi}"
work=$(mktemp -d)
world_pid=""
cleanup() {
    if [ -n "$world_pid" ]; then
        kill "$world_pid" 2>/dev/null || true
        wait "$world_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "Starting a simulated hub: $devices Argons in listening mode (fault $fault) and the fake cloud"
show "particlectl sim station --devices $devices --fault $fault --json"
"$sim" station --devices "$devices" --fault "$fault" --json >"$work/world.json" 2>"$work/world.log" &
world_pid=$!
for _ in $(seq 1 300); do [ -s "$work/world.json" ] && break; sleep 0.1; done
[ -s "$work/world.json" ] || { echo "the simulated station did not start:"; cat "$work/world.log"; exit 1; }

# The world's JSON, one shell assignment per line (values quoted for the shell by Python).
eval "$(python3 - "$work/world.json" <<'PY'
import json, shlex, sys
with open(sys.argv[1]) as handle:
    world = json.loads(handle.readline())
print("cloud=" + shlex.quote(world["cloud_url"]))
print("token=" + shlex.quote(world["token"]))
print("ssid=" + shlex.quote(world["ssid"]))
print("wifi_password=" + shlex.quote(world["password"]))
print("ports=(" + " ".join(shlex.quote(d["port"]) for d in world["devices"]) + ")")
print("faults=(" + " ".join(shlex.quote(",".join(d["faults"]) or "-") for d in world["devices"]) + ")")
print("ids=(" + " ".join(shlex.quote(d["device_id"]) for d in world["devices"]) + ")")
PY
)"
[ "${#ports[@]}" -eq "$devices" ] || { echo "the simulated station printed ${#ports[@]} devices, not $devices"; exit 1; }
echo "fake cloud $cloud · Wi-Fi network $ssid"
for i in "${!ports[@]}"; do
    printf '  device %d  %-12s  %s  fault: %s\n' $((i + 1)) "${ports[$i]}" "${ids[$i]}" "${faults[$i]}"
done
# A simulator token for dev@example.com (it opens only this fake cloud), and the simulated network's password.
export PARTICLE_API_URL="$cloud" PARTICLE_AUTH="$token" WIFI_PASSWORD="$wifi_password" XDG_CONFIG_HOME="$work/config"

step "Every port answers (serial identify, all at once)"
show "particlectl serial identify --port PORT --timeout 2 --json   # for each port"
identify_pids=()
for port in "${ports[@]}"; do
    ( printf '%-12s %s\n' "$port" "$("$ctl" serial identify --port "$port" --timeout 2 --json 2>&1 || true)" ) &
    identify_pids+=($!)
done
for pid in "${identify_pids[@]}"; do wait "$pid" || true; done

# (An unknown command prints the root help and exits 0: look for station run's own usage instead.)
if ! "$ctl" station run --help 2>/dev/null | grep -q -- '--password-env'; then
    echo
    echo "particlectl station run is not built into $ctl yet; the simulated hub above is what it would provision."
    exit 1
fi

ports_args=()
for port in "${ports[@]}"; do ports_args+=(--port "$port"); done
step "Provision all $devices at once, one slot per port"
show "particlectl station run ${ports_args[*]} --ssid $ssid --password-env WIFI_PASSWORD --name-template 'demo-{seq:03}' --online-timeout 8 --count $devices --ledger \$TMP/station.sqlite"
status=0
"$ctl" station run "${ports_args[@]}" --ssid "$ssid" --password-env WIFI_PASSWORD \
    --name-template 'demo-{seq:03}' --online-timeout 8 --count "$devices" --ledger "$work/station.sqlite" || status=$?
echo "(station run exited with $status: one device was set up to fail)"

step "What the ledger recorded"
show "particlectl station report --ledger \$TMP/station.sqlite"
"$ctl" station report --ledger "$work/station.sqlite"

step "What the simulated world saw"
cat "$work/world.log"
echo
echo "Done: $devices devices through the station; the faulty one is recorded with its reason."
