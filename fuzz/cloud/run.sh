#!/usr/bin/env bash
# Builds the Cloud codec fuzzer (SSE parser + error-body decoder) with libFuzzer (swiftc -sanitize=fuzzer,address)
# and runs it for a bounded time, seeded with recorded streams and error bodies in corpus/.
# Usage: fuzz/cloud/run.sh [seconds] (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-${FUZZ_SECONDS:-30}}"
out=.build/fuzz/cloud
mkdir -p "$out/corpus"
# ParticleCore (the ParticleError protocol) as a small static module the codec sources import.
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name ParticleCore -emit-module -emit-module-path "$out/ParticleCore.swiftmodule" \
    -emit-library -static -o "$out/libParticleCore.a" Sources/ParticleCore/*.swift
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name CloudFuzz -I "$out" -L "$out" -lParticleCore -o "$out/fuzz-cloud" \
    fuzz/cloud/FuzzCloud.swift \
    Sources/ParticleCloud/Events/SSEParser.swift Sources/ParticleCloud/Events/CloudEvent.swift \
    Sources/ParticleCloud/Core/CloudError.swift
cp fuzz/cloud/corpus/* "$out/corpus/"
# -rss_limit_mb bounds memory; -timeout flags any input that takes over 10 s (a hang).
"$out/fuzz-cloud" "$out/corpus" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
    -max_len=16384 -print_final_stats=1
