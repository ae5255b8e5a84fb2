// libFuzzer target for the listening-mode codec: the reply decoder, the prompt scanner and both dialogues.
// Built by run.sh with `swiftc -sanitize=fuzzer,address` together with the codec's sources (no I/O involved).
// The first input byte picks the chunk size, so the same bytes are also tried arriving in pieces.

private let expectations: [ReplyDecoder.Expectation] = [.identity, .mac, .version, .systemInfo, .claimed]
/// Steps allowed per input: a dialogue that keeps acting without consuming bytes would be a hang.
private let stepLimit = 100_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzListeningMode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let chunk = Int(first % 16) + 1
    let payload = Array(bytes.dropFirst())
    let pieces = stride(from: 0, to: payload.count, by: chunk).map { Array(payload[$0..<min($0 + chunk, payload.count)]) }

    for expectation in expectations {
        var decoder = ReplyDecoder(expecting: expectation)
        for piece in pieces {
            decoder.append(piece)
            while let reply = try? decoder.nextReply() { check(reply) }
        }
        if let reply = decoder.finish() { check(reply) }
    }

    var wifi = WiFiDialogue(credentials: WiFiCredentials(
        ssid: "Bench", security: .wpa2Enterprise, password: "correct horse", eap: .peap, username: "user",
        clientCertificate: "-----BEGIN-----\nAA\n-----END-----", privateKey: "KEY"))
    drive(&wifi, pieces)
    var claim = ClaimCodeDialogue(code: String(repeating: "c", count: 63))
    drive(&claim, pieces)
    return 0
}

private func check(_ reply: ListeningModeReply) {
    switch reply {
    case .identity(let identity):
        precondition(identity.deviceID.rawValue.utf8.count == 24, "device ID must be 24 hex digits")
    case .mac(let mac):
        precondition(mac.utf8.count == 17, "MAC must be six bytes")
    default:
        break
    }
}

private func drive<D: Dialogue>(_ dialogue: inout D, _ pieces: [[UInt8]]) {
    var steps = 0
    for piece in pieces {
        dialogue.append(piece)
        loop: while true {
            steps += 1
            precondition(steps < stepLimit, "dialogue does not make progress")
            switch dialogue.step() {
            case .wait: break loop
            case .send: continue
            case .ask(let prompt):
                if case .failed = dialogue.provide("wpa2", for: prompt) { return }
            case .finished, .failed: return
            }
        }
    }
}
