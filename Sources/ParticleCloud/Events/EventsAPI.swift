import AsyncHTTPClient
import Foundation

/// Which events to receive.
public struct EventFilter: Sendable, Equatable {
    /// Name prefix (`temp` matches `temperature`); nil = all (only allowed with `device` or `product`, or for
    /// "my devices").
    public var prefix: String?
    /// Only this device's events.
    public var device: DeviceReference?
    /// A product's events instead of the user's devices'.
    public var product: String?

    public init(prefix: String? = nil, device: DeviceReference? = nil, product: String? = nil) {
        self.prefix = prefix
        self.device = device
        self.product = product
    }

    /// `/v1/devices/events[/:prefix]`, `/v1/devices/:id/events[/:prefix]` or `/v1/products/:p/events[/:prefix]`.
    public var path: String {
        let base: String
        if let product {
            base = "/v1/products/\(CloudRequest.segment(product))/events"
        } else if let device {
            base = "/v1/devices/\(device.segment)/events"
        } else {
            base = "/v1/devices/events"
        }
        guard let prefix, !prefix.isEmpty else { return base }
        return base + "/" + CloudRequest.segment(prefix)
    }
}

/// How a subscription keeps its connection.
public struct StreamOptions: Sendable, Equatable {
    /// No byte (event or keep-alive) for this long = a dead connection: reconnect. The cloud sends keep-alives.
    public var idleTimeout: Double
    /// Reconnects in a row without receiving anything before giving up.
    public var maximumReconnects: Int
    /// First delay before a reconnect, doubling each time (with jitter), capped at 30 s.
    public var reconnectDelay: Double
    /// Deadline for each (re)connection's reply head.
    public var connectTimeout: Double

    public init(idleTimeout: Double = 30, maximumReconnects: Int = 5, reconnectDelay: Double = 2, connectTimeout: Double = 20) {
        self.idleTimeout = idleTimeout
        self.maximumReconnects = maximumReconnects
        self.reconnectDelay = reconnectDelay
        self.connectTimeout = connectTimeout
    }
}

/// Publishing events and subscribing to the event stream (SSE).
public struct EventsAPI: Sendable {
    let transport: CloudTransport

    /// `POST /v1/devices/events` (or `/v1/products/:p/events`) with `name`, `data`, `ttl`, `private`.
    public func publish(name: String, data: String? = nil, ttl: Int? = nil, isPrivate: Bool = false,
                        product: String? = nil) async throws {
        var fields = [FormField("name", name)]
        if let data { fields.append(FormField("data", data)) }
        if let ttl { fields.append(FormField("ttl", String(ttl))) }
        if isPrivate { fields.append(FormField("private", "true")) }
        let path = product.map { "/v1/products/\(CloudRequest.segment($0))/events" } ?? "/v1/devices/events"
        _ = try await transport.send(CloudRequest(.post, path, body: .form(fields)))
    }

    /// Opens the event stream and returns once the cloud accepted it (so errors like a bad token are thrown here,
    /// and nothing published after this returns is missed). The subscription reconnects by itself with back-off
    /// when the connection drops or goes silent; it ends with an error after `maximumReconnects` failures in a row.
    public func subscribe(_ filter: EventFilter, options: StreamOptions = StreamOptions()) async throws -> EventSubscription {
        let request = CloudRequest(.get, filter.path)
        let first = try await transport.open(request, connectTimeout: options.connectTimeout)
        let transport = self.transport
        let (stream, continuation) = AsyncThrowingStream<CloudEvent, any Error>.makeStream()
        let task = Task {
            var response: HTTPClientResponse? = first
            var failures = 0
            while !Task.isCancelled {
                if let current = response {
                    response = nil
                    let received = await Self.pump(current, idleTimeout: options.idleTimeout, into: continuation)
                    if received { failures = 0 }
                }
                if Task.isCancelled { break }
                failures += 1
                if failures > options.maximumReconnects {
                    continuation.finish(throwing: CloudError(
                        kind: .unreachable,
                        message: "the event stream dropped \(options.maximumReconnects + 1) times in a row; check the network and subscribe again"))
                    return
                }
                let full = min(30, options.reconnectDelay * pow(2, Double(failures - 1)))
                let wait = full / 2 + Double.random(in: 0...(full / 2))
                transport.configuration.transcript?("event stream closed; reconnecting in \(String(format: "%.1f", wait)) s")
                do {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                    response = try await transport.open(request, connectTimeout: options.connectTimeout)
                } catch let error as CloudError where error.kind == .authentication || error.kind == .notFound {
                    continuation.finish(throwing: error)
                    return
                } catch is CancellationError {
                    break
                } catch {
                    continue  // counted as a failure on the next turn
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return EventSubscription(stream: stream, task: task)
    }

    /// Reads one connection until it ends, goes idle or the task is cancelled. Returns whether anything arrived.
    static func pump(_ response: HTTPClientResponse, idleTimeout: Double,
                     into continuation: AsyncThrowingStream<CloudEvent, any Error>.Continuation) async -> Bool {
        let activity = ActivityClock()
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var parser = SSEParser()
                do {
                    for try await buffer in response.body {
                        activity.touch()
                        for item in parser.feed(buffer.readableBytesView) {
                            if case .event(let event) = item, let cloudEvent = CloudEvent(event) {
                                continuation.yield(cloudEvent)
                            }
                        }
                    }
                } catch {
                    // A dropped connection: the caller reconnects.
                }
            }
            group.addTask {
                let step = UInt64(min(1, idleTimeout / 4) * 1_000_000_000)
                while !Task.isCancelled, activity.idleSeconds < idleTimeout {
                    try? await Task.sleep(nanoseconds: step)
                }
            }
            await group.next()
            group.cancelAll()
            return activity.touched
        }
    }
}

/// Thread-safe "when did bytes last arrive".
final class ActivityClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date()
    private var any = false

    func touch() {
        lock.lock(); defer { lock.unlock() }
        last = Date()
        any = true
    }

    var idleSeconds: Double {
        lock.lock(); defer { lock.unlock() }
        return Date().timeIntervalSince(last)
    }

    var touched: Bool {
        lock.lock(); defer { lock.unlock() }
        return any
    }
}

/// An open event stream: iterate it for events; `cancel()` (or leaving the loop) closes it.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = CloudEvent
    let stream: AsyncThrowingStream<CloudEvent, any Error>
    let task: Task<Void, Never>

    public func makeAsyncIterator() -> AsyncThrowingStream<CloudEvent, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    public func cancel() { task.cancel() }

    /// The first event matching `predicate` within `timeout` seconds; throws a `.timedOut` `CloudError` after.
    public func first(timeout: Double, where predicate: @escaping @Sendable (CloudEvent) -> Bool) async throws -> CloudEvent {
        let stream = self.stream
        return try await withThrowingTaskGroup(of: CloudEvent?.self) { group in
            group.addTask {
                for try await event in stream where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(Swift.max(0, timeout) * 1_000_000_000))
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let event = first { return event }
            throw CloudError(kind: .timedOut, message: "no matching event within \(Int(timeout)) s")
        }
    }

    /// Waits for `spark/status` `online` from the device (ID compared case-insensitively). Subscribe with prefix
    /// `spark/status` before letting the device connect.
    public func waitForOnline(deviceID: String, timeout: Double) async throws -> CloudEvent {
        let id = deviceID.lowercased()
        do {
            return try await first(timeout: timeout) { event in
                event.name == "spark/status" && event.data == "online" && event.coreID?.lowercased() == id
            }
        } catch let error as CloudError where error.kind == .timedOut {
            throw CloudError(kind: .timedOut,
                             message: "device \(id) did not come online within \(Int(timeout)) s; check its Wi-Fi credentials and LED")
        }
    }
}
