#!/usr/bin/env bash
# Builds the listening-mode codec fuzzer with libFuzzer (swiftc -sanitize=fuzzer,address) and runs it for a bounded
# time, seeded with the recorded replies in corpus/. Usage: fuzz/serial/run.sh [seconds] (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-${FUZZ_SECONDS:-30}}"
out=.build/fuzz/serial
mkdir -p "$out/corpus"
# ParticleCore (DeviceID, DeviceIdentity, ParticleError) as a small static module the codec sources import.
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name ParticleCore -emit-module -emit-module-path "$out/ParticleCore.swiftmodule" \
    -emit-library -static -o "$out/libParticleCore.a" Sources/ParticleCore/*.swift
codec=Sources/ParticleSerial/ListeningMode
swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g \
    -module-name ListeningModeFuzz -I "$out" -L "$out" -lParticleCore -o "$out/fuzz-listening-mode" \
    fuzz/serial/FuzzListeningMode.swift \
    "$codec/LineAccumulator.swift" "$codec/ReplyDecoder.swift" "$codec/Replies.swift" \
    "$codec/ListeningModePrompt.swift" "$codec/Dialogue.swift" "$codec/WiFiCredentials.swift" \
    "$codec/ListeningModeCommand.swift" "$codec/Transcript.swift" "$codec/DialogueCloser.swift"
cp fuzz/serial/corpus/* "$out/corpus/"
# -rss_limit_mb bounds memory; -timeout flags any input that takes over 10 s (a hang).
"$out/fuzz-listening-mode" "$out/corpus" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
    -max_len=8192 -print_final_stats=1
