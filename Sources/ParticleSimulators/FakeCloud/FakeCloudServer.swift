import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Serves a `FakeCloud` over real HTTP (Hummingbird) on loopback.
public enum FakeCloudServer {
    /// A server running in the background (for tests): its URL, its cloud, and `stop()`.
    public struct Running: Sendable {
        public let url: String
        public let port: Int
        public let cloud: FakeCloud
        let task: Task<Void, any Error>

        /// Closes the event streams and stops the server.
        public func stop() async {
            await cloud.dropStreams()
            task.cancel()
            _ = await task.result
        }
    }

    /// Starts the server (port 0 = any free port) and returns once it listens.
    public static func start(_ cloud: FakeCloud, host: String = "127.0.0.1", port: Int = 0) async throws -> Running {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await run(cloud, host: host, port: port) { chosen in continuation.yield(chosen) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let chosen = await iterator.next() else {
            _ = await task.result
            if case .failure(let error) = await task.result { throw error }
            throw FakeCloudServerError(message: "the fake cloud stopped before listening on \(host):\(port)")
        }
        return Running(url: "http://\(host):\(chosen)", port: chosen, cloud: cloud, task: task)
    }

    /// Runs the server until the task is cancelled. `onListening` receives the chosen port.
    public static func run(_ cloud: FakeCloud, host: String, port: Int,
                           onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "particlectl-fake-cloud")
        logger.logLevel = .critical
        let app = Application(
            responder: FakeCloudResponder(cloud: cloud),
            configuration: .init(address: .hostname(host, port: port), serverName: "particlectl-fake-cloud"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [])
    }
}

public struct FakeCloudServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Adapts Hummingbird requests to `FakeCloud.handle` and its replies (including event streams) back.
struct FakeCloudResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let cloud: FakeCloud

    func respond(to request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 8 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let fake = FakeRequest(method: request.method.rawValue, path: request.uri.path, rawQuery: request.uri.query ?? "",
                               headers: headers, body: Array(body.readableBytesView))
        switch await cloud.handle(fake) {
        case .reply(let status, let replyHeaders, let bytes):
            var fields = HTTPFields()
            for (name, value) in replyHeaders {
                if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
            }
            return Response(status: .init(code: status), headers: fields,
                            body: bytes.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stalledBody(let status, let replyHeaders, let prefix):
            var fields = HTTPFields()
            for (name, value) in replyHeaders {
                if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
            }
            return Response(status: .init(code: status), headers: fields, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: prefix))
                // Never finish: hold the connection until the client gives up or the server stops.
                while !Task.isCancelled { try await Task.sleep(nanoseconds: 200_000_000) }
                try await writer.finish(nil)
            })
        case .events(let stream):
            var fields = HTTPFields()
            fields[.contentType] = "text/event-stream"
            fields[.cacheControl] = "no-cache"
            let cloud = self.cloud
            return Response(status: .ok, headers: fields, body: ResponseBody { writer in
                for await chunk in stream.chunks {
                    do {
                        try await writer.write(ByteBuffer(string: chunk))
                    } catch {
                        break
                    }
                }
                await cloud.unsubscribe(stream.id)
                try await writer.finish(nil)
            })
        }
    }
}
