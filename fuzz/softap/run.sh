#!/usr/bin/env bash
# Builds the SoftAP reply fuzzer (JSON reader, TCP/HTTP reply framing, reply decoders, the key slot's DER parser)
# with libFuzzer (swiftc -sanitize=fuzzer,address) and runs it for a bounded time, seeded with recorded replies in
# corpus/.
# Usage: fuzz/softap/run.sh [seconds] (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-${FUZZ_SECONDS:-30}}"
out=.build/fuzz/softap
mkdir -p "$out/corpus"
# ParticleCore (the ParticleError protocol) as a small static module the codec sources import.
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name ParticleCore -emit-module -emit-module-path "$out/ParticleCore.swiftmodule" \
    -emit-library -static -o "$out/libParticleCore.a" Sources/ParticleCore/*.swift
codec=Sources/ParticleSoftAP/Codec
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name SoftAPFuzz -I "$out" -L "$out" -lParticleCore -o "$out/fuzz-softap" \
    fuzz/softap/FuzzSoftAP.swift fuzz/softap/PublicKeyStub.swift \
    "$codec/ReplyFraming.swift" "$codec/SoftAPError.swift" "$codec/SoftAPRequest.swift" \
    "$codec/SoftAPSecurity.swift" "$codec/SoftAPReplies.swift" "$codec/Hex.swift" "$codec/DeviceKeySlot.swift"
cp fuzz/softap/corpus/* "$out/corpus/"
# -rss_limit_mb bounds memory; -timeout flags any input that takes over 10 s (a hang).
SWIFT_BACKTRACE=enable=no "$out/fuzz-softap" "$out/corpus" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
    -max_len=8192 -print_final_stats=1
