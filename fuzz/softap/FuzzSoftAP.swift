// libFuzzer target for the SoftAP reply side: the JSON reader, the TCP and HTTP reply framers and the typed reply
// decoders. Built by run.sh with `swiftc -sanitize=fuzzer,address` together with their sources (pure code, no I/O).
//
// Checks, besides "no crash, no hang": each framer gives the same outcome whether the bytes arrive at once or in
// pieces (the first input byte picks the piece size); a parsed value written back out parses to the same value; and
// every error message is one line.

import ParticleCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoftAP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let payload = Array(bytes.dropFirst())
    let chunk = Int(first % 16) + 1

    check(TCPReplyFramer(command: .scanAP), payload, chunk)
    check(HTTPReplyFramer(command: .deviceID), payload, chunk)

    // Reader: raw and decoded strings; a complete value survives a write/read round trip.
    _ = JSONValue.parse(payload, rawStrings: true)
    if case let .complete(value, _) = JSONValue.parse(payload) {
        guard case let .complete(again, _) = JSONValue.parse(Array(value.serialized.utf8)), again == value else {
            fatalError("JSON writer and reader disagree")
        }
        decodeAll(value)
    }
    return 0
}

enum Outcome: Equatable {
    case value(JSONValue)
    case failed(String)
    case pending
}

/// Whole vs. pieces must agree, then end-of-stream must explain itself.
func check<F: SoftAPReplyFraming>(_ framer: F, _ payload: [UInt8], _ chunk: Int) {
    let whole = run(framer, [payload])
    var pieces: [[UInt8]] = []
    var start = 0
    while start < payload.count {
        pieces.append(Array(payload[start..<min(start + chunk, payload.count)]))
        start += chunk
    }
    let split = run(framer, pieces)
    // An error may surface earlier in pieces than whole only in the same kind; values must match exactly.
    switch (whole, split) {
    case let (.value(a), .value(b)) where a != b: fatalError("framer disagrees with itself at piece size \(chunk)")
    case (.value, .failed), (.failed, .value), (.value, .pending), (.pending, .value):
        fatalError("framer outcome depends on piece size \(chunk)")
    default: break
    }
    if case let .value(value) = whole { decodeAll(value) }
}

func run<F: SoftAPReplyFraming>(_ framer: F, _ pieces: [[UInt8]]) -> Outcome {
    var framer = framer
    do {
        for piece in pieces {
            if let value = try framer.feed(piece) { return .value(value) }
        }
        do {
            try framer.endOfStream()
        } catch let error as SoftAPError {
            guard !error.message.contains("\n") else { fatalError("multi-line message") }
            return .pending
        }
    } catch let error as SoftAPError {
        guard !error.message.contains("\n") else { fatalError("multi-line message") }
        return .failed(error.message)
    } catch {
        fatalError("untyped error")
    }
}

func decodeAll(_ value: JSONValue) {
    do { _ = try SoftAPReplyDecoder.deviceInfo(value) } catch { oneLine(error) }
    do { _ = try SoftAPReplyDecoder.networks(value).map(\.security.name) } catch { oneLine(error) }
    do { _ = try SoftAPReplyDecoder.version(value) } catch { oneLine(error) }
    do { try SoftAPReplyDecoder.result(value, of: .configureAP) } catch { oneLine(error) }
    do {
        // The shipped slot parser (DeviceKeySlot) must hand on a whole DER SEQUENCE or throw.
        let der = try SoftAPReplyDecoder.publicKey(value).derRepresentation
        guard der.count >= 2, der[0] == 0x30 else { fatalError("key DER without its SEQUENCE header") }
    } catch { oneLine(error) }
}

func oneLine(_ error: SoftAPError) {
    if error.message.contains("\n") { fatalError("multi-line message") }
}
