import AsyncHTTPClient
import Foundation
import ParticleCore

/// A local wait for an event ended without it (exit 4): the cloud said nothing wrong, the event did not come.
public struct EventWaitTimeout: ParticleError, Equatable {
    /// Seconds waited.
    public var seconds: Double
    /// The device waited for, when the wait was for one device coming online.
    public var deviceID: String?

    public init(seconds: Double, deviceID: String? = nil) {
        self.seconds = seconds
        self.deviceID = deviceID
    }

    public var exitStatus: ExitStatus { .timedOut }

    public var message: String {
        if let deviceID {
            return "device \(deviceID) did not come online within \(Int(seconds)) s; check its Wi-Fi credentials and LED"
        }
        return "no matching event within \(Int(seconds)) s"
    }
}

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
    /// First delay before a reconnect after a failure, doubling each time (with jitter), capped at 30 s. A healthy
    /// stream that the cloud closed cleanly is reopened at once, without a delay.
    public var reconnectDelay: Double
    /// Deadline for each (re)connection's reply head.
    public var connectTimeout: Double
    /// How many times opening the stream is retried, with the reconnect back-off, when it fails in a way worth
    /// retrying (5xx, 429, network); 0 = fail at once (for callers that have another way to learn the same thing).
    public var openRetries: Int

    public init(idleTimeout: Double = 30, maximumReconnects: Int = 5, reconnectDelay: Double = 2, connectTimeout: Double = 20,
                openRetries: Int = 0) {
        self.idleTimeout = idleTimeout
        self.maximumReconnects = maximumReconnects
        self.reconnectDelay = reconnectDelay
        self.connectTimeout = connectTimeout
        self.openRetries = openRetries
    }

    /// The wait before reconnect number `failures` (1-based): exponential, half fixed and half random.
    func backoff(afterFailures failures: Int, jitter: Double = Double.random(in: 0...1)) -> Double {
        let full = min(30, reconnectDelay * pow(2, Double(max(0, failures - 1))))
        return full / 2 + full / 2 * min(max(jitter, 0), 1)
    }

    /// A healthy connection lived at least this long or delivered an event; its clean close is not a failure.
    static let healthyDuration = 1.0
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
    /// and nothing published after this returns is missed). Opening is retried `openRetries` times when it fails in a
    /// way worth retrying. The subscription then reconnects by itself: at once after the cloud closed a healthy
    /// stream cleanly, with back-off after failures (a drop, silence, an error reply); it ends with an error after
    /// `maximumReconnects` failures in a row. Events published while no connection is open are not delivered (the
    /// event stream keeps no history).
    public func subscribe(_ filter: EventFilter, options: StreamOptions = StreamOptions()) async throws -> EventSubscription {
        let request = CloudRequest(.get, filter.path)
        let transport = self.transport
        var first: HTTPClientResponse
        var attempt = 0
        while true {
            do {
                first = try await transport.open(request, connectTimeout: options.connectTimeout)
                break
            } catch let error as CloudError where Self.isWorthReconnecting(error) && attempt < options.openRetries {
                attempt += 1
                let wait = options.backoff(afterFailures: attempt)
                transport.configuration.transcript?("event stream not open (\(error.status.map { "HTTP \($0)" } ?? error.kind.rawValue)); retrying in \(String(format: "%.1f", wait)) s")
                try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
            }
        }
        let (stream, continuation) = AsyncThrowingStream<CloudEvent, any Error>.makeStream()
        let opened = first
        let task = Task {
            var response: HTTPClientResponse? = opened
            var failures = 0
            while !Task.isCancelled {
                if let current = response {
                    response = nil
                    let ending = await Self.pump(current, idleTimeout: options.idleTimeout, into: continuation)
                    if ending.touched { failures = 0 }
                    if ending.closedCleanly && ending.isHealthy {
                        // The cloud ended a good stream (as it does from time to time): reopen at once, so the gap
                        // in which events are lost stays as short as a reconnect.
                        if Task.isCancelled { break }
                        transport.configuration.transcript?("event stream closed by the cloud; reconnecting now")
                        switch await Self.reopen(request, transport: transport, options: options) {
                        case .opened(let reopened):
                            response = reopened
                            continue
                        case .fatal(let error):
                            continuation.finish(throwing: error)
                            return
                        case .failed:
                            break  // counted as a failure below
                        }
                    }
                }
                if Task.isCancelled { break }
                failures += 1
                if failures > options.maximumReconnects {
                    continuation.finish(throwing: CloudError(
                        kind: .unreachable,
                        message: "the event stream dropped \(options.maximumReconnects + 1) times in a row; check the network and subscribe again"))
                    return
                }
                let wait = options.backoff(afterFailures: failures)
                transport.configuration.transcript?("event stream closed; reconnecting in \(String(format: "%.1f", wait)) s")
                do {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                } catch {
                    break
                }
                switch await Self.reopen(request, transport: transport, options: options) {
                case .opened(let reopened):
                    response = reopened
                case .fatal(let error):
                    continuation.finish(throwing: error)
                    return
                case .failed:
                    continue  // counted as a failure on the next turn
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return EventSubscription(stream: stream, task: task)
    }

    enum Reopening {
        case opened(HTTPClientResponse)
        /// Worth another try after a back-off.
        case failed
        /// An authentication or not-found reply: the subscription ends with it.
        case fatal(CloudError)
    }

    /// One reconnection attempt.
    static func reopen(_ request: CloudRequest, transport: CloudTransport, options: StreamOptions) async -> Reopening {
        do {
            return .opened(try await transport.open(request, connectTimeout: options.connectTimeout))
        } catch let error as CloudError where error.kind == .authentication || error.kind == .notFound {
            return .fatal(error)
        } catch {
            return .failed
        }
    }

    /// Failures of opening the stream that another try may cure: the cloud's 5xx and 429, the network, a timeout.
    static func isWorthReconnecting(_ error: CloudError) -> Bool {
        switch error.kind {
        case .unreachable, .timedOut, .rateLimited: true
        case .remote: (error.status ?? 0) >= 500
        default: false
        }
    }

    /// How one connection ended.
    struct Ending {
        /// Any byte arrived (event or keep-alive).
        var touched: Bool
        /// An event arrived.
        var receivedEvent: Bool
        /// The body ended normally (not dropped, not idle, not cancelled).
        var closedCleanly: Bool
        /// How long the connection was read.
        var duration: Double

        var isHealthy: Bool { receivedEvent || duration >= StreamOptions.healthyDuration }
    }

    /// Reads one connection until it ends, goes idle or the task is cancelled.
    static func pump(_ response: HTTPClientResponse, idleTimeout: Double,
                     into continuation: AsyncThrowingStream<CloudEvent, any Error>.Continuation) async -> Ending {
        let activity = ActivityClock()
        let started = Date()
        return await withTaskGroup(of: (clean: Bool, events: Bool)?.self) { group in
            group.addTask {
                var parser = SSEParser()
                var events = false
                do {
                    for try await buffer in response.body {
                        activity.touch()
                        for item in parser.feed(buffer.readableBytesView) {
                            if case .event(let event) = item, let cloudEvent = CloudEvent(event) {
                                events = true
                                continuation.yield(cloudEvent)
                            }
                        }
                    }
                    return (!Task.isCancelled, events)
                } catch {
                    return (false, events)  // A dropped connection: the caller reconnects after a back-off.
                }
            }
            group.addTask {
                await activity.waitUntilIdle(for: idleTimeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            var received = first?.events ?? false
            for await other in group { received = received || (other?.events ?? false) }
            return Ending(touched: activity.touched, receivedEvent: received, closedCleanly: first?.clean ?? false,
                          duration: Date().timeIntervalSince(started))
        }
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

    /// The first event matching `predicate` within `timeout` seconds; throws `EventWaitTimeout` after.
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
            throw EventWaitTimeout(seconds: timeout)
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
        } catch is EventWaitTimeout {
            throw EventWaitTimeout(seconds: timeout, deviceID: id)
        }
    }
}
