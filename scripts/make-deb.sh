#!/usr/bin/env bash
# Builds a Debian package of particlectl from BUILD_DIR (the folder holding particlectl, particlectl-net and
# particlectl-sim; `make deb` passes the release build, with the Swift runtime linked statically) into OUT_DIR:
# the executables, the udev rules, the shell completions, the man page, the systemd unit of a station, and an
# example profile under /etc/particlectl. Prints the package's path.
# Usage: scripts/make-deb.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
BUILD_DIR=${1:?usage: make-deb.sh BUILD_DIR [OUT_DIR]}
OUT_DIR=${2:-dist}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in particlectl particlectl-net particlectl-sim; do
  [ -x "$BUILD_DIR/$tool" ] || { echo "make-deb: $BUILD_DIR/$tool is missing; build first (make release)" >&2; exit 3; }
done
VERSION=$("$BUILD_DIR/particlectl" --version)
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/usr/lib/udev/rules.d" "$STAGE/usr/lib/systemd/system" \
  "$STAGE/usr/share/man/man1" "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
  "$STAGE/usr/share/fish/vendor_completions.d" "$STAGE/usr/share/doc/particlectl" "$STAGE/etc/particlectl"
install -m 0755 "$BUILD_DIR/particlectl" "$BUILD_DIR/particlectl-net" "$BUILD_DIR/particlectl-sim" "$STAGE/usr/bin/"
# Stripped, as Debian ships executables (the release build carries its symbol tables: about half of its size).
strip --strip-unneeded "$STAGE/usr/bin/particlectl" "$STAGE/usr/bin/particlectl-net" "$STAGE/usr/bin/particlectl-sim"
install -m 0644 "$ROOT/udev-rules/50-particle.rules" "$STAGE/usr/lib/udev/rules.d/"
install -m 0644 "$ROOT/packaging/particlectl-station@.service" "$STAGE/usr/lib/systemd/system/"
"$STAGE/usr/bin/particlectl" --generate-completion-script bash > "$STAGE/usr/share/bash-completion/completions/particlectl"
"$STAGE/usr/bin/particlectl" --generate-completion-script zsh > "$STAGE/usr/share/zsh/vendor-completions/_particlectl"
"$STAGE/usr/bin/particlectl" --generate-completion-script fish > "$STAGE/usr/share/fish/vendor_completions.d/particlectl.fish"
python3 "$ROOT/scripts/manpage.py" "$STAGE/usr/bin/particlectl" | gzip -9n > "$STAGE/usr/share/man/man1/particlectl.1.gz"
"$STAGE/usr/bin/particlectl" station init "$STAGE/etc/particlectl/example.yaml" > /dev/null
chmod 0644 "$STAGE"/usr/share/*/*/particlectl* "$STAGE/usr/share/zsh/vendor-completions/_particlectl" \
  "$STAGE/etc/particlectl/example.yaml"
cat > "$STAGE/usr/share/doc/particlectl/copyright" <<'TEXT'
particlectl: provisions Particle IoT devices from a Linux host.
See the project's README for its licence and authors.
TEXT

# Depends: the Debian packages that hold the shared libraries the executables link directly (NEEDED entries).
needed=$(for tool in particlectl particlectl-net particlectl-sim; do
  objdump -p "$STAGE/usr/bin/$tool" | awk '$1 == "NEEDED" {print $2}'; done | sort -u)
depends=$(for tool in particlectl particlectl-net particlectl-sim; do ldd "$STAGE/usr/bin/$tool"; done \
  | awk '$3 ~ /^\// {print $1, $3}' | sort -u | while read -r name path; do
      if printf '%s\n' "$needed" | grep -qxF "$name"; then
        dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null || true
      fi
    done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<TEXT
Package: particlectl
Version: $VERSION
Architecture: $ARCH
Maintainer: particlectl developers <particlectl@localhost>
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Description: provision Particle IoT devices from a Linux host
 Discovery over USB, the listening-mode serial console, SoftAP setup, the Particle
 Cloud API, end-to-end provisioning, and a factory station that provisions every
 device on a USB hub concurrently with a crash-safe ledger and a live dashboard.
TEXT
echo /etc/particlectl/example.yaml > "$STAGE/DEBIAN/conffiles"
for script in postinst postrm; do
  cat > "$STAGE/DEBIAN/$script" <<'TEXT'
#!/bin/sh
set -e
# New udev rules and a new unit take effect without a reboot (nothing to do in a chroot or a container).
if [ -d /run/udev ] && command -v udevadm >/dev/null 2>&1; then udevadm control --reload-rules || true; fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
exit 0
TEXT
  chmod 0755 "$STAGE/DEBIAN/$script"
done

mkdir -p "$OUT_DIR"
PACKAGE="$OUT_DIR/particlectl_${VERSION}_${ARCH}.deb"
# DEB_COMPRESSION=none for a quick package of a debug build (the tests); xz for a release.
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-xz}" --build "$STAGE" "$PACKAGE" > /dev/null
echo "$PACKAGE"
