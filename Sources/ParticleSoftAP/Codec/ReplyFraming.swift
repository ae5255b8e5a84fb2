import ParticleCore
/// Decides when a SoftAP reply is complete, from whatever bytes have arrived so far. Pure: the transport feeds it.
///
/// The device does not always close the connection (firmware bug #1252 leaves the first TCP connection open) and old
/// HTTP firmware sends no terminating chunk, so a reply is complete **as soon as its JSON parses**: never wait for EOF.
public protocol SoftAPReplyFraming {
    /// Feeds newly received bytes; returns the reply once its JSON is complete, nil while more is needed, or throws
    /// when the bytes can never become a reply.
    mutating func feed(_ bytes: [UInt8]) throws -> JSONValue?
    /// The peer closed the connection before a complete reply: always throws the error that explains it (closed
    /// before any byte: `noReply`, a transport failure; the device's reply without JSON: `emptyReply`).
    func endOfStream() throws -> Never
}

/// Replies bigger than this are not from a Photon (a full scan is a few kilobytes).
public let softAPMaximumReplyBytes = 256 * 1024

/// Raw TCP (port 5609): `\n\n` then the JSON, no trailing newline, then (usually) close.
public struct TCPReplyFramer: SoftAPReplyFraming {
    public let command: SoftAPRequest.Command
    private var buffer: [UInt8] = []

    public init(command: SoftAPRequest.Command) { self.command = command }

    public mutating func feed(_ bytes: [UInt8]) throws -> JSONValue? {
        buffer += bytes
        guard buffer.count <= softAPMaximumReplyBytes else {
            throw SoftAPError.invalidReply(command: command, reason: "more than \(softAPMaximumReplyBytes) bytes")
        }
        switch JSONValue.parse(buffer) {
        case let .complete(value, _): return value
        case .incomplete: return nil
        case let .invalid(reason): throw SoftAPError.invalidReply(command: command, reason: reason)
        }
    }

    public func endOfStream() throws -> Never {
        if buffer.isEmpty { throw SoftAPError.noReply(command: command, reset: false) }
        if buffer.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }) {
            throw SoftAPError.emptyReply(command: command)
        }
        throw SoftAPError.closedMidReply(command: command)
    }
}

/// HTTP (port 80): a status line and headers, then a body that is chunked (expect tiny chunks, maybe no terminating
/// chunk), sized by Content-Length, or delimited by close. Any method; status 200 even when the device refuses.
public struct HTTPReplyFramer: SoftAPReplyFraming {
    enum BodyFraming: Equatable {
        case chunked
        case length(Int)
        case untilClose
    }

    public let command: SoftAPRequest.Command
    private var head: [UInt8] = []
    private var framing: BodyFraming?
    private var chunks = ChunkedDecoder()
    private var body: [UInt8] = []
    private var received = 0

    public init(command: SoftAPRequest.Command) { self.command = command }

    public mutating func feed(_ bytes: [UInt8]) throws -> JSONValue? {
        received += bytes.count
        guard received <= softAPMaximumReplyBytes else {
            throw SoftAPError.invalidReply(command: command, reason: "more than \(softAPMaximumReplyBytes) bytes")
        }
        var rest = bytes[...]
        if framing == nil {
            head += bytes
            guard let end = Self.headEnd(head) else {
                guard head.count <= 16 * 1024 else { throw invalid("HTTP header too long") }
                // Fail fast on bytes that cannot be an HTTP status line.
                let prefix = Array("HTTP/".utf8)
                if !zip(head, prefix).allSatisfy({ $0 == $1 }) { throw invalid("not an HTTP reply") }
                return nil
            }
            framing = try parseHead(Array(head[0..<end.headerEnd]))
            rest = head[end.bodyStart...]
            head = []
        }
        switch framing {
        case .chunked?:
            let decoded = chunks.feed(Array(rest))
            body += decoded.body
            if decoded.malformed {
                // Whatever follows a complete reply does not matter (the pieces may have ended sooner).
                if case let .complete(value, _) = JSONValue.parse(body) { return value }
                throw invalid("bad chunked encoding")
            }
        case .length?, .untilClose?:
            body += rest
        case nil:
            break
        }
        guard body.count <= softAPMaximumReplyBytes else { throw invalid("body too large") }
        switch JSONValue.parse(body) {
        case let .complete(value, _): return value
        case let .invalid(reason): throw invalid(reason)
        case .incomplete:
            // The body is over (terminating chunk or Content-Length reached) without a JSON value.
            let finished: Bool
            switch framing {
            case .chunked?: finished = chunks.isFinished
            case let .length(length)?: finished = body.count >= length
            default: finished = false
            }
            if finished { try endOfBody() }
            return nil
        }
    }

    public func endOfStream() throws -> Never {
        if framing == nil {
            if head.isEmpty { throw SoftAPError.noReply(command: command, reset: false) }
            throw SoftAPError.closedMidReply(command: command)
        }
        try endOfBody()
    }

    private func endOfBody() throws -> Never {
        if body.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }) {
            throw SoftAPError.emptyReply(command: command)
        }
        throw SoftAPError.closedMidReply(command: command)
    }

    private func invalid(_ reason: String) -> SoftAPError { .invalidReply(command: command, reason: reason) }

    /// Where the header block ends (`\r\n\r\n`, or a bare `\n\n`).
    static func headEnd(_ bytes: [UInt8]) -> (headerEnd: Int, bodyStart: Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    private func parseHead(_ bytes: [UInt8]) throws -> BodyFraming {
        // Split on LF bytes: in Swift strings "\r\n" is one Character and would not split on "\n".
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/") else { throw invalid("not an HTTP reply") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw invalid("bad HTTP status line") }
        guard status == 200 else { throw SoftAPError.httpStatus(command: command, status: status) }
        var chunked = false
        var length: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased().trimmingSpaces
            let value = line[line.index(after: colon)...].lowercased().trimmingSpaces
            if name == "transfer-encoding", value.contains("chunked") { chunked = true }
            if name == "content-length" {
                guard let parsed = Int(value), parsed >= 0 else { throw invalid("bad Content-Length") }
                length = parsed
            }
        }
        if chunked { return .chunked }
        if let length { return .length(length) }
        return .untilClose
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// HTTP/1.1 chunked transfer decoding, fed in arbitrary pieces.
struct ChunkedDecoder {
    enum Failure: Error { case malformed }

    private enum State: Equatable {
        case size(line: [UInt8])
        case data(remaining: Int)
        case dataEnd(seenCR: Bool)
        case finished
    }

    private var state: State = .size(line: [])

    var isFinished: Bool { state == .finished }

    /// Returns the body bytes contained in `bytes`, and whether the encoding broke (the bytes before the break are
    /// still returned, so the outcome does not depend on how the stream was cut into pieces).
    mutating func feed(_ bytes: [UInt8]) -> (body: [UInt8], malformed: Bool) {
        var out: [UInt8] = []
        do {
            try decode(bytes, into: &out)
            return (out, false)
        } catch {
            return (out, true)
        }
    }

    private mutating func decode(_ bytes: [UInt8], into out: inout [UInt8]) throws {
        var index = 0
        while index < bytes.count {
            switch state {
            case .finished:
                return  // Trailers and anything after the last chunk are ignored.
            case var .size(line):
                let byte = bytes[index]
                index += 1
                if byte == 0x0A {
                    state = try Self.chunkStart(line)
                } else {
                    line.append(byte)
                    guard line.count <= 64 else { throw Failure.malformed }
                    state = .size(line: line)
                }
            case let .data(remaining):
                let take = min(remaining, bytes.count - index)
                out += bytes[index..<(index + take)]
                index += take
                state = remaining - take == 0 ? .dataEnd(seenCR: false) : .data(remaining: remaining - take)
            case let .dataEnd(seenCR):
                let byte = bytes[index]
                index += 1
                if byte == 0x0D, !seenCR {
                    state = .dataEnd(seenCR: true)
                } else if byte == 0x0A {
                    state = .size(line: [])
                } else {
                    throw Failure.malformed
                }
            }
        }
    }

    private static func chunkStart(_ line: [UInt8]) throws -> State {
        var digits = line
        if digits.last == 0x0D { digits.removeLast() }
        if let semicolon = digits.firstIndex(of: UInt8(ascii: ";")) { digits = Array(digits[..<semicolon]) }
        guard !digits.isEmpty, digits.count <= 8 else { throw Failure.malformed }
        var size = 0
        for byte in digits {
            guard let digit = ASCIIHex.value(byte) else { throw Failure.malformed }
            size = size << 4 | Int(digit)
        }
        return size == 0 ? .finished : .data(remaining: size)
    }
}
