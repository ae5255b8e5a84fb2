import Foundation
import ParticleCore

/// Where the dashboard listens: `HOST:PORT`, `[IPv6]:PORT`, or `PORT` alone (loopback). Pure.
public struct DashboardAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(UserError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var host = "127.0.0.1"
        var portText = trimmed
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Self.bad(text) }
            portText = String(rest.dropFirst())
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = String(trimmed[..<colon])
            portText = String(trimmed[trimmed.index(after: colon)...])
            if host.contains(":") { throw Self.bad(text) }  // an IPv6 address needs brackets
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }),
              let port = Int(portText), (0...65535).contains(port) else { throw Self.bad(text) }
        self.host = host
        self.port = port
    }

    /// 127.0.0.0/8, ::1 or localhost: reachable from this machine only.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func bad(_ text: String) -> UserError {
        UserError(.usage, "--dashboard \(text.debugDescription) is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, or 8080 for loopback)")
    }
}
