import ParticleCore
import ParticleSoftAP
import Testing

/// The framers on recorded byte streams, fed in every split the network could produce.
@Suite("SoftAP reply framing")
struct ReplyFramingTests {
    /// Feeds `pieces` in order; returns the value when the framer completes, or the error.
    func run<F: SoftAPReplyFraming>(_ framer: F, _ pieces: [[UInt8]], eof: Bool = true) -> Result<JSONValue?, SoftAPError> {
        var framer = framer
        do {
            for piece in pieces {
                if let value = try framer.feed(piece) { return .success(value) }
            }
            if eof { try framer.endOfStream() }
            return .success(nil)
        } catch let error as SoftAPError {
            return .failure(error)
        } catch {
            return .failure(.invalidInput("unexpected"))
        }
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("TCP: preamble then JSON, one byte at a time, complete without EOF")
    func tcpByteByByte() {
        let reply = bytes("\n\n{\"id\":\"320020001847333531323135\",\"c\":\"0\"}")
        let result = run(TCPReplyFramer(command: .deviceID), reply.map { [$0] }, eof: false)
        #expect(result == .success(.object([("id", .string("320020001847333531323135")), ("c", .string("0"))])))
    }

    @Test("TCP: a prefix of a reply is never complete")
    func tcpPrefixes() {
        let reply = bytes("\n\n{\"scans\":[{\"ssid\":\"a b\",\"rssi\":-89,\"sec\":4194308,\"ch\":11,\"mdr\":144400}]}")
        for end in 0..<reply.count {
            #expect(run(TCPReplyFramer(command: .scanAP), [Array(reply[0..<end])], eof: false) == .success(nil))
        }
    }

    @Test("TCP: only the preamble, then close, is the device rejecting the request")
    func tcpEmpty() {
        #expect(run(TCPReplyFramer(command: .set), [bytes("\n\n")]) == .failure(.emptyReply(command: .set)))
        // Nothing at all (not even the preamble) is the connection failing, not the device answering.
        #expect(run(TCPReplyFramer(command: .set), []) == .failure(.noReply(command: .set, reset: false)))
    }

    @Test("TCP: close inside the JSON is a dropped reply")
    func tcpDropped() {
        #expect(run(TCPReplyFramer(command: .scanAP), [bytes("\n\n{\"scans\":[{\"ss")])
            == .failure(.closedMidReply(command: .scanAP)))
    }

    @Test("TCP: garbage fails at once, without waiting for more")
    func tcpGarbage() {
        guard case let .failure(error) = run(TCPReplyFramer(command: .version), [bytes("\n\nHELLO")], eof: false),
              case .invalidReply(.version, _) = error
        else {
            Issue.record("garbage was not rejected")
            return
        }
    }

    @Test("HTTP: tiny chunks, no terminating chunk (old firmware), complete when JSON parses")
    func httpTinyChunksNoTerminator() {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let json = "{\"v\":2}"
        var stream = head
        for char in json { stream += "1\r\n\(char)\r\n" }
        let result = run(HTTPReplyFramer(command: .version), bytes(stream).map { [$0] }, eof: false)
        #expect(result == .success(.object([("v", .number("2"))])))
    }

    @Test("HTTP: 200 with an empty chunked body is a rejected request")
    func httpEmptyChunked() {
        let stream = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        #expect(run(HTTPReplyFramer(command: .configureAP), [bytes(stream)], eof: false)
            == .failure(.emptyReply(command: .configureAP)))
    }

    @Test("HTTP: Content-Length and read-to-close bodies")
    func httpOtherFraming() {
        #expect(run(HTTPReplyFramer(command: .set), [bytes("HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\n{\"r\":0}")], eof: false)
            == .success(.object([("r", .number("0"))])))
        #expect(run(HTTPReplyFramer(command: .set), [bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")], eof: false)
            == .failure(.emptyReply(command: .set)))
        #expect(run(HTTPReplyFramer(command: .set), [bytes("HTTP/1.0 200 OK\r\n\r\n{\"r\":"), bytes("-1}")], eof: false)
            == .success(.object([("r", .number("-1"))])))
        #expect(run(HTTPReplyFramer(command: .set), [bytes("HTTP/1.0 200 OK\r\n\r\n{\"r\":")])
            == .failure(.closedMidReply(command: .set)))
    }

    @Test("HTTP: a status other than 200 is reported with its code")
    func httpStatus() {
        #expect(run(HTTPReplyFramer(command: .deviceID), [bytes("HTTP/1.1 404 Not Found\r\n\r\n")], eof: false)
            == .failure(.httpStatus(command: .deviceID, status: 404)))
    }

    @Test("HTTP: not HTTP at all fails at once; close before the head is a dropped reply")
    func httpGarbage() {
        guard case .failure(.invalidReply(.deviceID, _)) = run(HTTPReplyFramer(command: .deviceID), [bytes("SSH-2.0")], eof: false) else {
            Issue.record("garbage was not rejected")
            return
        }
        #expect(run(HTTPReplyFramer(command: .deviceID), [bytes("HTTP/1.1 20")]) == .failure(.closedMidReply(command: .deviceID)))
        #expect(run(HTTPReplyFramer(command: .deviceID), []) == .failure(.noReply(command: .deviceID, reset: false)))
    }

    @Test("HTTP: a malformed chunk size is invalid")
    func httpBadChunk() {
        let stream = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        #expect(run(HTTPReplyFramer(command: .version), [bytes(stream)], eof: false)
            == .failure(.invalidReply(command: .version, reason: "bad chunked encoding")))
    }

    @Test("HTTP: a broken chunk after a complete reply does not matter, however the bytes were cut")
    func httpBrokenChunkAfterJSON() {
        let stream = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"r\":0}\r\n0\r\u{1A}\r\n")
        let expected: Result<JSONValue?, SoftAPError> = .success(.object([("r", .number("0"))]))
        #expect(run(HTTPReplyFramer(command: .set), [stream], eof: false) == expected)
        #expect(run(HTTPReplyFramer(command: .set), stream.map { [$0] }, eof: false) == expected)
    }

    @Test("JSON nested beyond the limit is rejected, not recursed into")
    func deepNesting() {
        let deep = "{\"a\":" + String(repeating: "[", count: 10_000)
        guard case .invalid = JSONValue.parse(Array(deep.utf8)) else {
            Issue.record("deep nesting accepted")
            return
        }
    }
}
