import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ParticleCore

/// Serves the dashboard over HTTP (Hummingbird): `GET /` the page (HTML, CSS and JavaScript inline: nothing from the
/// internet), `GET /state` the board as JSON, `GET /events` the board after every change as server-sent events.
/// With a token, every request must carry it (`?token=…` or `Authorization: Bearer …`); without one, the server
/// must listen on loopback only.
public struct DashboardServer: Sendable {
    public let hub: DashboardHub
    public let address: DashboardAddress
    public let token: String?

    /// Refuses a non-loopback address without a token: a dashboard on the factory LAN must not be open to anyone.
    public init(hub: DashboardHub, address: DashboardAddress, token: String?) throws(UserError) {
        if !address.isLoopback && token == nil {
            throw UserError(.usage, "the dashboard at \(address) would be open to the network without an access token; serve it with a token, or on loopback (127.0.0.1)")
        }
        self.hub = hub
        self.address = address
        self.token = token
    }

    /// A fresh access token: 32 hex digits from the system's random source.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A server running in the background: its URL (with the token when there is one) and `stop()`.
    public struct Running: Sendable {
        public let url: String
        public let port: Int
        let task: Task<Void, any Error>
        let hub: DashboardHub

        public func stop() async {
            await hub.close()
            task.cancel()
            _ = await task.result
        }
    }

    /// Starts listening (port 0: any free port) and returns once it does.
    public func start() async throws -> Running {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = self
        let task = Task {
            defer { continuation.finish() }
            try await server.run { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            if case .failure(let error) = await task.result {
                throw UserError(.io, "the dashboard cannot listen on \(address) (\(error)); pick another port")
            }
            throw UserError(.io, "the dashboard stopped before listening on \(address)")
        }
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        return Running(url: "http://\(host):\(port)/" + (token.map { "?token=\($0)" } ?? ""), port: port, task: task,
                       hub: hub)
    }

    func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "particlectl-dashboard")
        logger.logLevel = .critical
        let app = Application(
            responder: DashboardResponder(hub: hub, token: token),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "particlectl"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }
}

struct DashboardResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let hub: DashboardHub
    let token: String?

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.text(.methodNotAllowed, "only GET\n")
        }
        if let token, !Self.carries(token, request) {
            return Self.text(.unauthorized, "this dashboard needs its access token: open the URL the station printed\n")
        }
        switch request.uri.path {
        case "/", "/index.html":
            var fields = HTTPFields()
            fields[.contentType] = "text/html; charset=utf-8"
            fields[.cacheControl] = "no-store"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        case "/state":
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.cacheControl] = "no-store"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: await hub.snapshot + "\n")))
        case "/events":
            var fields = HTTPFields()
            fields[.contentType] = "text/event-stream"
            fields[.cacheControl] = "no-store"
            let boards = await hub.follow()
            return Response(status: .ok, headers: fields, body: ResponseBody { writer in
                for await board in boards {
                    do {
                        try await writer.write(ByteBuffer(string: "data: \(board)\n\n"))
                    } catch {
                        break
                    }
                }
                try? await writer.finish(nil)
            })
        default:
            return Self.text(.notFound, "no such page; the dashboard is at /\n")
        }
    }

    /// The token in the query (`token=`) or as a bearer token, compared in constant time.
    static func carries(_ token: String, _ request: Request) -> Bool {
        var offered: [String] = []
        if let query = request.uri.query {
            for pair in query.split(separator: "&") where pair.hasPrefix("token=") {
                offered.append(String(pair.dropFirst(6)))
            }
        }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            offered.append(String(authorization.dropFirst(7)))
        }
        return offered.contains { same($0, token) }
    }

    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
