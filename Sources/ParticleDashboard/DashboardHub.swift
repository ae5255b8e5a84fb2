import Foundation
import ParticleStation

/// The board behind a running dashboard: takes the station's events in order, and hands every page connected to it
/// the newest board after each change. Applying an event only updates the board and wakes the pages; the board is
/// encoded when a page is ready to send it, once per change however many pages follow (a page that falls behind
/// skips straight to the newest board, nothing queues up). So a burst of events (64 slots ending steps at once) costs
/// one encoding per page write, not one per event, and the tiles never lag behind the station.
public actor DashboardHub {
    private var board: DashboardBoard
    /// Bumped by every change; the encoded board is cached for one version.
    private var version = 0
    private var encoded: (version: Int, json: String)?
    private var pages: [UUID: AsyncStream<Void>.Continuation] = [:]
    private let name: @Sendable (String) async -> String?

    /// `name` looks up a provisioned device's name (the ledger's) for its tile.
    public init(board: DashboardBoard, name: @escaping @Sendable (String) async -> String? = { _ in nil }) {
        self.board = board
        self.name = name
    }

    /// The events of a station run, applied one after the other (call from one task, in the order they happened).
    public func apply(_ event: StationEvent) async {
        var known: String?
        if event.step == "result", event.outcome == .provisioned || event.outcome == .skipped, let id = event.deviceID {
            known = await name(id)
        }
        board.apply(event, name: known)
        version += 1
        for page in pages.values { page.yield(()) }
    }

    /// The board now, as one line of JSON.
    public var snapshot: String {
        if let encoded, encoded.version == version { return encoded.json }
        let json = DashboardSnapshot(board).json
        encoded = (version, json)
        return json
    }

    /// The board now, then the newest board after every change, until the page goes away or `close()`.
    public func follow() -> DashboardUpdates {
        let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        continuation.yield(())
        pages[id] = continuation
        continuation.onTermination = { _ in Task { await self.forget(id) } }
        return DashboardUpdates(hub: self, changes: changes)
    }

    public var followers: Int { pages.count }

    /// Ends every page's stream (the server is stopping).
    public func close() {
        for page in pages.values { page.finish() }
        pages.removeAll()
    }

    private func forget(_ id: UUID) { pages[id] = nil }
}

/// One page's view of the hub: each element is the newest board (JSON) when the page asks for the next one after a
/// change; changes that happened while the page was writing collapse into one.
public struct DashboardUpdates: AsyncSequence, Sendable {
    public typealias Element = String
    let hub: DashboardHub
    let changes: AsyncStream<Void>

    public struct AsyncIterator: AsyncIteratorProtocol {
        let hub: DashboardHub
        var changes: AsyncStream<Void>.AsyncIterator

        public mutating func next() async -> String? {
            guard await changes.next() != nil else { return nil }
            return await hub.snapshot
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(hub: hub, changes: changes.makeAsyncIterator())
    }
}
