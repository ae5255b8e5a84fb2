import Foundation

/// An event inside the fake cloud, with who may see it.
struct FakeEvent: Sendable {
    var name: String
    var data: String
    var coreID: String
    /// The device owner or the publishing user.
    var owner: String?
    var productID: Int?
    var isPrivate: Bool
    var publishedAt = FakeClock.now
    var ttl = 60

    /// The SSE text: `event:` line, `data:` JSON line, blank line.
    var wireText: String {
        let payload: [String: Any] = ["data": data, "ttl": String(ttl), "published_at": publishedAt, "coreid": coreID]
        let json = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(name)\ndata: \(json)\n\n"
    }
}

/// Whose events a stream receives.
enum FakeStreamScope: Sendable, Equatable {
    case mine
    case device(String)
    case product(Int)
}

struct FakeSubscriber {
    var scope: FakeStreamScope
    var prefix: String
    /// The subscribing user or customer (for `.mine`).
    var owner: String?
    var continuation: AsyncStream<String>.Continuation
}

/// An open event stream: the text chunks to write, ending when the cloud drops the connection.
public struct FakeEventStream: Sendable {
    public let id: UUID
    public let chunks: AsyncStream<String>
}

extension FakeCloud {
    /// Opens an event stream for the caller.
    func subscribe(_ caller: Caller, _ scope: FakeStreamScope, prefix: String) -> FakeReply {
        var owner: String?
        switch caller {
        case .user(let username, _), .customer(let username, _, _): owner = username
        case .product, .apiUser: if scope == .mine { return FakeErrors.outsideScope }
        }
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream()
        continuation.yield(":ok\n\n")
        subscribers[id] = FakeSubscriber(scope: scope, prefix: prefix, owner: owner, continuation: continuation)
        let interval = keepAliveInterval
        let keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                if Task.isCancelled { break }
                continuation.yield(":\n")
            }
        }
        continuation.onTermination = { [weak self] _ in
            keepAlive.cancel()
            Task { await self?.unsubscribe(id) }
        }
        return .events(FakeEventStream(id: id, chunks: stream))
    }

    func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    /// Closes every open event stream (the "dropped SSE connection" fault, and shutdown).
    public func dropStreams() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }

    /// Number of open event streams.
    public var openStreams: Int { subscribers.count }

    func publishEvent(_ event: FakeEvent) {
        if faults.lostEvents > 0 {
            faults.lostEvents -= 1
            return
        }
        for subscriber in subscribers.values where event.name.hasPrefix(subscriber.prefix) {
            let visible: Bool
            switch subscriber.scope {
            case .mine: visible = subscriber.owner != nil && event.owner == subscriber.owner
            case .device(let id): visible = event.coreID == id
            case .product(let id): visible = event.productID == id
            }
            if visible { subscriber.continuation.yield(event.wireText) }
        }
    }

    /// `POST /v1/devices/events` and `POST /v1/products/:p/events`.
    func publish(_ request: FakeRequest, _ caller: Caller, product: FakeProduct?) -> FakeReply {
        let fields = request.fields.values
        guard let name = fields["name"], !name.isEmpty, name.count <= 64 else {
            return FakeErrors.badRequest("Event name is required (1 to 64 characters)")
        }
        var owner: String?
        switch caller {
        case .user(let username, _), .customer(let username, _, _): owner = username
        case .product, .apiUser: if product == nil { return FakeErrors.outsideScope }
        }
        var event = FakeEvent(name: name, data: fields["data"] ?? "", coreID: fields["as_device_id"] ?? "api",
                              owner: product == nil ? owner : nil, productID: product?.id,
                              isPrivate: ["true", "1"].contains(fields["private"] ?? ""))
        if let ttl = fields["ttl"].flatMap({ Int($0) }) { event.ttl = ttl }
        publishEvent(event)
        return .json(200, ["ok": true])
    }
}
