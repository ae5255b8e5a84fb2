/// A fault the simulated SoftAP injects, for testing every error path of a client.
///
/// Written `KIND[@COMMAND][*COUNT]`: `stall@scan-ap`, `garbage*1`, `drop@public-key*2`. Without a command it hits every
/// command; without a count, every matching request.
public struct SoftAPFault: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Nothing listens: connections are refused (the port is held, bound but not listening).
        case refuse
        /// Read the request, then never answer (the connection stays open until the client gives up).
        case stall
        /// Answer one byte at a time, slowly.
        case trickle
        /// Answer with bytes that are neither JSON nor HTTP.
        case garbage
        /// Send half of the reply, then reset the connection.
        case drop
        /// Answer nothing (TCP: only the `\n\n` preamble; HTTP: 200 with an empty body), as for a rejected request.
        case empty
        /// Carry out the command, then close without a reply (connect-ap's lost reply).
        case loseReply = "lose-reply"
        /// Read the request, then reset the connection (RST) before sending a byte: a flaky link or a busy device.
        case reset
        /// Read the request, then close the connection (FIN) before sending a byte.
        case close
    }

    public var kind: Kind
    /// The command name it applies to; nil for all.
    public var command: String?
    /// How many requests it hits; nil for all.
    public var count: Int?

    public init(kind: Kind, command: String? = nil, count: Int? = nil) {
        self.kind = kind
        self.command = command
        self.count = count
    }

    public init?(parsing text: String) {
        var rest = Substring(text)
        var count: Int?
        if let star = rest.lastIndex(of: "*") {
            guard let parsed = Int(rest[rest.index(after: star)...]), parsed > 0 else { return nil }
            count = parsed
            rest = rest[..<star]
        }
        var command: String?
        if let at = rest.firstIndex(of: "@") {
            command = String(rest[rest.index(after: at)...])
            guard let name = command, SimulatedPhoton.commandNames.contains(name) else { return nil }
            rest = rest[..<at]
        }
        guard let kind = Kind(rawValue: String(rest)) else { return nil }
        self.init(kind: kind, command: command, count: count)
    }

    public var description: String {
        kind.rawValue + (command.map { "@\($0)" } ?? "") + (count.map { "*\($0)" } ?? "")
    }

    public static let syntax = "KIND[@COMMAND][*COUNT], KIND one of " + Kind.allCases.map(\.rawValue).joined(separator: ", ")
}
