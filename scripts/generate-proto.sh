#!/usr/bin/env bash
# Regenerates Sources/ParticleUSB/Proto/*.pb.swift from proto/particle/**/*.proto (`make proto`).
#
# The generated code is committed: building the generator costs minutes, so neither `make build`, `make test` nor CI
# runs this. Run it after editing a .proto file, and commit the .proto files and the generated code together.
#
# Versions (the generated code must match the SwiftProtobuf runtime that Package.swift resolves):
#   protoc            Debian's protobuf-compiler (3.21.12 on Debian 12); installed with apt-get when missing.
#   protoc-gen-swift  swift-protobuf 1.39.0, the same tag as the runtime dependency. Found as $PROTOC_GEN_SWIFT, else
#                     on PATH if it reports 1.39.0, else built once from a clone of the package into
#                     .build-proto/ (release build, ~3-10 minutes on 2 cores) and reused from there.
#
# Options for protoc-gen-swift: Visibility=Internal (the messages are ParticleUSB's implementation detail; its
# public API is the Swift types in WiFiMessages.swift, NetworkInterface.swift, ...), FileNaming=PathToUnderscores
# (particle/ctrl/wifi.proto -> particle_ctrl_wifi.pb.swift, so that equal base names cannot collide).
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
SWIFT_PROTOBUF_URL=https://github.com/apple/swift-protobuf
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/Sources/ParticleUSB/Proto"
TOOLS="$ROOT/.build-proto"

if ! command -v protoc >/dev/null 2>&1; then
  echo "Installing Debian's protobuf-compiler"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq protobuf-compiler
fi

plugin=${PROTOC_GEN_SWIFT:-}
if [ -z "$plugin" ] && command -v protoc-gen-swift >/dev/null 2>&1 \
   && [ "$(protoc-gen-swift --version 2>/dev/null)" = "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ]; then
  plugin=$(command -v protoc-gen-swift)
fi
if [ -z "$plugin" ]; then
  plugin="$TOOLS/swift-protobuf/.build/release/protoc-gen-swift"
  if [ ! -x "$plugin" ]; then
    echo "Building protoc-gen-swift $SWIFT_PROTOBUF_VERSION in $TOOLS (once; takes minutes)"
    rm -rf "$TOOLS/swift-protobuf"
    mkdir -p "$TOOLS"
    git -c advice.detachedHead=false clone -q --depth 1 --branch "$SWIFT_PROTOBUF_VERSION" "$SWIFT_PROTOBUF_URL" "$TOOLS/swift-protobuf"
    (cd "$TOOLS/swift-protobuf" && swift build -c release --product protoc-gen-swift)
  fi
fi
version=$("$plugin" --version)
if [ "$version" != "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ]; then
  echo "generate-proto: $plugin is '$version', want $SWIFT_PROTOBUF_VERSION; set PROTOC_GEN_SWIFT or remove $TOOLS" >&2
  exit 1
fi

cd "$ROOT/proto"
mapfile -t sources < <(find particle -name '*.proto' | LC_ALL=C sort)
rm -f "$OUT"/*.pb.swift
mkdir -p "$OUT"
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Internal --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$OUT" "${sources[@]}"
echo "Generated with $(protoc --version) and $version:"
ls "$OUT"/*.pb.swift | sed "s|$ROOT/||"
