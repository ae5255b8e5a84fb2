/// Where a device's SoftAP server is: a host and a port, and which protocol it speaks there.
public struct SoftAPAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Transport: String, Sendable, CaseIterable {
        /// Raw TCP, port 5609: the default of every official client.
        case tcp
        /// HTTP, port 80.
        case http

        public var defaultPort: Int { self == .tcp ? 5609 : 80 }
    }

    /// The device's address on its own access point.
    public static let defaultHost = "192.168.0.1"

    public var host: String
    public var port: Int
    public var transport: Transport

    public init(host: String = SoftAPAddress.defaultHost, port: Int? = nil, transport: Transport = .tcp) {
        self.host = host
        self.port = port ?? transport.defaultPort
        self.transport = transport
    }

    /// Parses `HOST` or `HOST:PORT` (the port defaults to the transport's).
    public init(parsing text: String, transport: Transport) throws {
        var host = Substring(text)
        var port: Int?
        if let colon = text.lastIndex(of: ":") {
            guard let parsed = Int(text[text.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw SoftAPError.badAddress(text, reason: "the port must be a number from 1 to 65535")
            }
            port = parsed
            host = text[..<colon]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw SoftAPError.badAddress(text, reason: "expected HOST or HOST:PORT, e.g. 192.168.0.1:5609")
        }
        self.init(host: String(host), port: port, transport: transport)
    }

    public var description: String { "\(host):\(port)" }
}
