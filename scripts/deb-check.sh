#!/usr/bin/env bash
# make deb-check: the Debian package on a machine without Swift. Installs PACKAGE on this machine (as root, or through
# passwordless sudo), checks that no executable needs a library from the Swift toolchain, then hides the toolchain
# (/opt/swift, in a private mount namespace) and runs the installed particlectl: --version, serial list, and the whole
# factory-station demo (8 simulated devices, one faulty, the ledger and its report) from /usr/bin. Purges the package
# at the end, whatever happened, and checks it left nothing behind.
# Usage: scripts/deb-check.sh PACKAGE
set -euo pipefail
package=${1:?usage: deb-check.sh PACKAGE}
root=$(cd "$(dirname "$0")/.." && pwd)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
fail() { echo "deb-check: $*" >&2; exit 1; }

[ -f "$package" ] || fail "$package does not exist; run make deb first"
if dpkg-query -W -f '${Status}' particlectl 2>/dev/null | grep -q installed; then
    fail "a particlectl package is already installed here; remove it first (dpkg --purge particlectl)"
fi
as_root dpkg -i "$package" >/dev/null || fail "dpkg -i $package failed (needs root or passwordless sudo)"
trap 'as_root dpkg --purge particlectl >/dev/null 2>&1 || true' EXIT

for tool in particlectl particlectl-net particlectl-sim; do
    if ldd "/usr/bin/$tool" | grep -E 'swift|libFoundation|libdispatch|libBlocksRuntime'; then
        fail "/usr/bin/$tool needs a library of the Swift toolchain (above)"
    fi
done
echo "deb-check: no executable links a Swift toolchain library"

toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift || echo /opt/swift/usr/bin/swift)")")")
[ -d "$toolchain" ] || toolchain=/opt/swift
as_root unshare --mount --propagation private env DEMO_BIN=/usr/bin TOOLCHAIN="$toolchain" ROOT="$root" bash -euo pipefail -c '
    mount -t tmpfs -o ro none "$TOOLCHAIN"
    if [ -n "$(ls -A "$TOOLCHAIN")" ]; then echo "deb-check: could not hide $TOOLCHAIN" >&2; exit 1; fi
    echo "deb-check: $TOOLCHAIN hidden; running the installed particlectl"
    /usr/bin/particlectl --version
    /usr/bin/particlectl serial list --json >/dev/null
    /usr/bin/particlectl-net --help >/dev/null
    bash "$ROOT/scripts/demo-station.sh"
'
as_root dpkg --purge particlectl >/dev/null
trap - EXIT
for path in /usr/bin/particlectl /usr/bin/particlectl-net /usr/bin/particlectl-sim \
            /usr/lib/systemd/system/particlectl-station@.service /usr/lib/udev/rules.d/50-particle.rules /etc/particlectl; do
    [ ! -e "$path" ] || fail "the purge left $path behind"
done
echo "deb-check: the package installed, ran the station demo without the Swift toolchain, and purged clean"
