// libFuzzer target for the Cloud API codecs: the SSE parser and the error-body decoder. Built by run.sh with
// `swiftc -sanitize=fuzzer,address` together with their sources (pure code, no I/O).
//
// Checks, besides "no crash, no hang": the parser yields the same items whether the bytes arrive at once or in
// pieces (the first input byte picks the piece size), and a decoded error message is one bounded line.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCloud(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let payload = Array(bytes.dropFirst())

    // SSE: whole vs. pieces must agree.
    var whole = SSEParser(maximumLineLength: 4096)
    let expected = whole.feed(payload)
    let chunk = Int(first % 32) + 1
    var pieces = SSEParser(maximumLineLength: 4096)
    var items: [SSEItem] = []
    var start = 0
    while start < payload.count {
        let end = min(start + chunk, payload.count)
        items += pieces.feed(payload[start..<end])
        start = end
    }
    if items != expected { fatalError("SSE parser disagrees with itself at piece size \(chunk)") }
    for item in items {
        if case .event(let event) = item { _ = CloudEvent(event) }
    }

    // Error bodies: any bytes, any status.
    let decoded = ErrorBody.decode(payload)
    if let message = decoded.message {
        if message.contains("\n") || message.count > 301 { fatalError("error message is not one bounded line") }
    }
    let status = 400 + Int(first) % 200
    let error = CloudError.fromReply(status: status, body: payload, retryAfter: nil)
    if error.message.contains("\n") { fatalError("CloudError message spans lines") }
    return 0
}
