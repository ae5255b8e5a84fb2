/// One thing read from a `text/event-stream`: an event (dispatched on a blank line) or a comment line (`:ok`,
/// keep-alives).
public enum SSEItem: Equatable, Sendable {
    case event(ServerSentEvent)
    case comment(String)
}

/// A dispatched server-sent event: the `event:` name (default `message`), the `data:` lines joined by `\n`, the `id:`.
public struct ServerSentEvent: Equatable, Sendable {
    public var name: String
    public var data: String
    public var id: String?

    public init(name: String, data: String, id: String? = nil) {
        self.name = name
        self.data = data
        self.id = id
    }
}

/// Incremental `text/event-stream` parser: feed it whatever bytes arrived, in any pieces, and it returns the
/// items completed so far. Pure (no I/O); lines end with LF, CRLF or CR, even when the CR and LF arrive in
/// different pieces. A line longer than `maximumLineLength` is dropped, so hostile input cannot grow memory.
public struct SSEParser: Sendable {
    public static let defaultMaximumLineLength = 1 << 20

    private var line: [UInt8] = []
    private var lineTooLong = false
    private var afterCR = false
    private var eventName = ""
    private var dataLines: [String] = []
    private var hasData = false
    private var lastID: String?
    private let maximumLineLength: Int

    public init(maximumLineLength: Int = SSEParser.defaultMaximumLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// Parses the next piece of the stream.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [SSEItem] where Bytes.Element == UInt8 {
        var items: [SSEItem] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0D:
                afterCR = true
                endLine(into: &items)
            case 0x0A:
                endLine(into: &items)
            default:
                if line.count < maximumLineLength {
                    line.append(byte)
                } else {
                    lineTooLong = true
                }
            }
        }
        return items
    }

    private mutating func endLine(into items: inout [SSEItem]) {
        defer {
            line.removeAll(keepingCapacity: true)
            lineTooLong = false
        }
        if lineTooLong { return }
        if line.isEmpty {
            dispatch(into: &items)
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        if line[0] == 0x3A {  // ":" comment
            items.append(.comment(String(text.dropFirst())))
            return
        }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": eventName = String(value)
        case "data":
            dataLines.append(String(value))
            hasData = true
        case "id": if !value.contains("\0") { lastID = String(value) }
        default: break  // "retry" and unknown fields are ignored
        }
    }

    private mutating func dispatch(into items: inout [SSEItem]) {
        defer {
            eventName = ""
            dataLines.removeAll()
            hasData = false
        }
        guard hasData else { return }
        items.append(.event(ServerSentEvent(name: eventName.isEmpty ? "message" : eventName,
                                            data: dataLines.joined(separator: "\n"), id: lastID)))
    }
}
