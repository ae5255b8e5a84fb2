/// Splits the console's output into lines as bytes arrive in arbitrary pieces.
///
/// A line ends at `\n`; a `\r` before it is dropped, so `\r\n`, `\n` and the `v` reply's `\n\r\n` all work. Bytes after
/// the last `\n` stay pending (prompts have no newline). A line longer than `maximumLineLength` is cut there, so
/// arbitrary input never grows memory without bound.
public struct LineAccumulator: Sendable {
    public static let maximumLineLength = 64 * 1024

    /// Bytes received after the last complete line.
    public private(set) var pending: [UInt8] = []

    public init() {}

    /// Appends bytes and returns the lines they complete, in order.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0a {
                lines.append(Self.text(pending))
                pending.removeAll(keepingCapacity: true)
            } else if pending.count >= Self.maximumLineLength {
                lines.append(Self.text(pending))
                pending.removeAll(keepingCapacity: true)
                pending.append(byte)
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// Ends the current partial line (used when the device fell silent).
    public mutating func flush() -> String? {
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return Self.text(pending)
    }

    static func text(_ bytes: [UInt8]) -> String {
        var slice = bytes[...]
        while let last = slice.last, last == 0x0d { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
