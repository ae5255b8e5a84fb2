import ParticleCloud

/// One `spark` event stream (`spark/status`, `spark/flash/status` …) shared by many provisioning runs (a station's slots): one connection to the cloud,
/// each run given the events of its own device. Opened on first use, reopened on a later use after it ended or broke
/// (a run whose feed ended goes on polling, as with its own subscription).
public actor SharedStatusStream {
    private let cloud: CloudClient
    private let filter: EventFilter
    private var subscription: EventSubscription?
    private var pump: Task<Void, Never>?
    private var opening: Task<Bool, Never>?
    private var feeds: [Int: (deviceID: String, continuation: AsyncThrowingStream<CloudEvent, any Error>.Continuation)] = [:]
    private var nextFeed = 0
    /// How many times the stream was opened (a station reports it: one per station, plus reconnections).
    public private(set) var connections = 0

    public init(cloud: CloudClient, product: String?) {
        self.cloud = cloud
        self.filter = EventFilter(prefix: "spark", product: product)
    }

    /// The events of `deviceID` from now on; nil when the stream cannot be opened (the caller polls instead).
    func feed(deviceID: String) async -> StatusFeed? {
        guard await open() else { return nil }
        let id = nextFeed
        nextFeed += 1
        let (stream, continuation) = AsyncThrowingStream<CloudEvent, any Error>.makeStream()
        feeds[id] = (deviceID.lowercased(), continuation)
        return StatusFeed(events: stream) { [weak self] in
            Task { await self?.close(feed: id) }
        }
    }

    /// Closes the stream; every feed ends. Idempotent.
    public func shutdown() {
        pump?.cancel()
        pump = nil
        subscription?.cancel()
        subscription = nil
        for feed in feeds.values { feed.continuation.finish() }
        feeds.removeAll()
    }

    private func open() async -> Bool {
        if subscription != nil { return true }
        // One opening at a time: callers arriving while it is under way wait for it instead of opening their own.
        if let opening { return await opening.value }
        let attempt = Task { [cloud, filter] in try? await cloud.events.subscribe(filter) }
        let opening = Task<Bool, Never> { self.opened(await attempt.value) }
        self.opening = opening
        let result = await opening.value
        self.opening = nil
        return result
    }

    private func opened(_ opened: EventSubscription?) -> Bool {
        guard let opened else { return false }
        subscription = opened
        connections += 1
        pump = Task { [weak self] in
            do {
                for try await event in opened { await self?.deliver(event) }
            } catch {}
            await self?.ended()
        }
        return true
    }

    private func deliver(_ event: CloudEvent) {
        guard let device = event.coreID?.lowercased() else { return }
        for feed in feeds.values where feed.deviceID == device { feed.continuation.yield(event) }
    }

    private func ended() {
        subscription = nil
        pump = nil
        for feed in feeds.values { feed.continuation.finish() }
        feeds.removeAll()
    }

    private func close(feed id: Int) {
        feeds.removeValue(forKey: id)?.continuation.finish()
    }
}

/// The status events one run watches: its own subscription, or its device's share of a `SharedStatusStream`.
struct StatusFeed: Sendable {
    let events: AsyncThrowingStream<CloudEvent, any Error>
    let cancel: @Sendable () -> Void

    init(events: AsyncThrowingStream<CloudEvent, any Error>, cancel: @escaping @Sendable () -> Void) {
        self.events = events
        self.cancel = cancel
    }

    /// A subscription of the run's own, relayed.
    init(_ subscription: EventSubscription) {
        let (stream, continuation) = AsyncThrowingStream<CloudEvent, any Error>.makeStream()
        let relay = Task {
            do {
                for try await event in subscription { continuation.yield(event) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        events = stream
        cancel = { relay.cancel(); subscription.cancel(); continuation.finish() }
    }
}
