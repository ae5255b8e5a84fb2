import Foundation
import ParticleStation

/// The board behind a running dashboard: takes the station's events in order, and hands every page connected to it
/// the board after each change. A page that falls behind gets only the newest board (nothing queues up).
public actor DashboardHub {
    private var board: DashboardBoard
    private var pages: [UUID: AsyncStream<String>.Continuation] = [:]
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
        let json = DashboardSnapshot(board).json
        for page in pages.values { page.yield(json) }
    }

    public var snapshot: String { DashboardSnapshot(board).json }

    /// The board now, then after every change, until the page goes away or `close()`.
    public func follow() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        continuation.yield(DashboardSnapshot(board).json)
        pages[id] = continuation
        continuation.onTermination = { _ in Task { await self.forget(id) } }
        return stream
    }

    public var followers: Int { pages.count }

    /// Ends every page's stream (the server is stopping).
    public func close() {
        for page in pages.values { page.finish() }
        pages.removeAll()
    }

    private func forget(_ id: UUID) { pages[id] = nil }
}
