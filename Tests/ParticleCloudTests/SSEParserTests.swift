import Testing
@testable import ParticleCloud

/// The SSE parser on recorded bytes, fed in every possible split.
@Suite struct SSEParserTests {
    /// A recorded stream: `:ok`, two events, a keep-alive, a multi-line data event, CRLF line ends in the last.
    static let recorded = Array((":ok\n\n"
        + "event: temperature\n"
        + "data: {\"data\":\"25.34\",\"ttl\":\"60\",\"published_at\":\"2015-07-18T00:12:18.174Z\",\"coreid\":\"0123456789abcdef01234567\"}\n\n"
        + ":\n"
        + "event: spark/status\r\n"
        + "data: {\"data\":\"online\",\"ttl\":60,\"published_at\":\"2015-01-01T14:29:49.787Z\",\"coreid\":\"0123456789ABCDEF01234567\"}\r\n\r\n"
        + "data: line one\n"
        + "data: line two\n\n").utf8)

    static let expected: [SSEItem] = [
        .comment("ok"),
        .event(ServerSentEvent(name: "temperature",
                               data: "{\"data\":\"25.34\",\"ttl\":\"60\",\"published_at\":\"2015-07-18T00:12:18.174Z\",\"coreid\":\"0123456789abcdef01234567\"}")),
        .comment(""),
        .event(ServerSentEvent(name: "spark/status",
                               data: "{\"data\":\"online\",\"ttl\":60,\"published_at\":\"2015-01-01T14:29:49.787Z\",\"coreid\":\"0123456789ABCDEF01234567\"}")),
        .event(ServerSentEvent(name: "message", data: "line one\nline two")),
    ]

    @Test func wholeStreamAtOnce() {
        var parser = SSEParser()
        #expect(parser.feed(Self.recorded) == Self.expected)
    }

    @Test func everySplitIntoTwoPieces() {
        for cut in 0...Self.recorded.count {
            var parser = SSEParser()
            let items = parser.feed(Self.recorded[..<cut]) + parser.feed(Self.recorded[cut...])
            #expect(items == Self.expected, "split at \(cut)")
        }
    }

    @Test func oneByteAtATime() {
        var parser = SSEParser()
        var items: [SSEItem] = []
        for byte in Self.recorded { items += parser.feed([byte]) }
        #expect(items == Self.expected)
    }

    @Test(arguments: [2, 3, 7, 13, 64])
    func fixedChunkSizes(size: Int) {
        var parser = SSEParser()
        var items: [SSEItem] = []
        var start = 0
        while start < Self.recorded.count {
            let end = min(start + size, Self.recorded.count)
            items += parser.feed(Self.recorded[start..<end])
            start = end
        }
        #expect(items == Self.expected)
    }

    @Test func carriageReturnAloneEndsLinesEvenWhenLFNeverComes() {
        var parser = SSEParser()
        let items = parser.feed(Array("event: a\rdata: 1\r\r".utf8))
        #expect(items == [.event(ServerSentEvent(name: "a", data: "1"))])
    }

    @Test func eventWithoutDataIsNotDispatchedAndNameDoesNotLeak() {
        var parser = SSEParser()
        let items = parser.feed(Array("event: lonely\n\ndata: x\n\n".utf8))
        #expect(items == [.event(ServerSentEvent(name: "message", data: "x"))])
    }

    @Test func incompleteEventIsHeldUntilItsBlankLine() {
        var parser = SSEParser()
        #expect(parser.feed(Array("event: a\ndata: 1\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [.event(ServerSentEvent(name: "a", data: "1"))])
    }

    @Test func overlongLineIsDroppedNotBuffered() {
        var parser = SSEParser(maximumLineLength: 16)
        let items = parser.feed(Array(("data: " + String(repeating: "x", count: 100) + "\n\ndata: ok\n\n").utf8))
        #expect(items == [.event(ServerSentEvent(name: "message", data: "ok"))])
    }

    @Test func cloudEventDecodesStringAndNumberTTL() throws {
        var parser = SSEParser()
        let events = parser.feed(Self.recorded).compactMap { item -> CloudEvent? in
            if case .event(let event) = item { return CloudEvent(event) }
            return nil
        }
        #expect(events.count == 2)  // "line one/line two" is not a Particle event
        #expect(events[0] == CloudEvent(name: "temperature", data: "25.34", ttl: 60,
                                        publishedAt: "2015-07-18T00:12:18.174Z", coreID: "0123456789abcdef01234567"))
        #expect(events[1].name == "spark/status")
        #expect(events[1].data == "online")
        #expect(events[1].ttl == 60)
    }
}
