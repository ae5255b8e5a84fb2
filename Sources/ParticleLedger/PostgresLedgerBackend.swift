import Foundation
import ParticleCore

/// The shared back-end: a PostgreSQL database several stations write at once. A few lanes (connections, each on its
/// own thread) run the transactions; a caller waits for a free lane. Opening applies the migrations
/// (``PostgresLedgerOpener``).
final class PostgresLedgerBackend: LedgerBackend {
    let location: String
    let isReadOnly: Bool
    let address: PostgresAddress
    private let lanes: PostgresLanePool
    private let counter: PostgresRoundTrips

    /// Connections per station. A slot writes a few short statements per step and spends seconds between steps, so
    /// two lanes rarely queue even with 16 slots; each server process costs start-up, catalogue caches and wake-ups
    /// on the station's own cores. Measured (`make bench`, 4 stations × 16 devices on 2 cores): 8 lanes gave 1.34×
    /// SQLite's time, 2 lanes 1.14–1.22×.
    static let laneCount = 2

    private init(address: PostgresAddress, connectTimeout: Double, readOnly: Bool) {
        self.address = address
        self.location = address.description
        self.isReadOnly = readOnly
        let counter = PostgresRoundTrips()
        self.counter = counter
        self.lanes = PostgresLanePool((0..<Self.laneCount).map { _ in
            PostgresLane(address: address, connectTimeout: connectTimeout, roundTrips: counter)
        })
    }

    /// Connects, checks the schema, applies what migrations are missing (not when reading) and makes the probe
    /// write; returns the backend and the migrations applied now.
    static func open(_ address: PostgresAddress, options: LedgerOptions,
                     readOnly: Bool) async throws -> (backend: PostgresLedgerBackend, applied: [String]) {
        let backend = PostgresLedgerBackend(address: address,
                                            connectTimeout: address.connectTimeout ?? options.connectTimeout,
                                            readOnly: readOnly)
        let now = LedgerTime.string(from: options.clock())
        do {
            let applied = try await backend.run("opening", readOnly: readOnly) { tx in
                try PostgresLedgerOpener.prepare(tx, location: address.description, readOnly: readOnly, now: now)
            }
            return (backend, applied)
        } catch {
            await backend.close()
            throw error
        }
    }

    func write<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try refuseIfReadOnly(action)
        return try await run(action, readOnly: false, body)
    }

    func writeAutocommit<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try refuseIfReadOnly(action)
        return try await run(action, readOnly: false, autocommit: true, body)
    }

    var roundTrips: Int? { counter.value }

    func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try await run(action, readOnly: true, body)
    }

    func close() async {
        await lanes.close()
    }

    private func refuseIfReadOnly(_ action: String) throws {
        if isReadOnly {
            throw LedgerError(.readOnly, path: location,
                              "the ledger \(location) was opened for reading; \(action) needs `station run`")
        }
    }

    private func run<T: Sendable>(_ action: String, readOnly: Bool, autocommit: Bool = false,
                                  _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        let lane = await lanes.acquire()
        do {
            let value = autocommit ? try await lane.autocommit(body)
                                   : try await lane.transaction(readOnly: readOnly, body)
            await lanes.release(lane)
            return value
        } catch {
            await lanes.release(lane)
            throw PostgresFailure.ledgerError(error, address: address, doing: action)
        }
    }
}

/// The free lanes, and the callers waiting for one in arrival order.
actor PostgresLanePool {
    private var free: [PostgresLane]
    private var all: [PostgresLane]
    private var waiting: [CheckedContinuation<PostgresLane, Never>] = []

    init(_ lanes: [PostgresLane]) {
        free = lanes
        all = lanes
    }

    func acquire() async -> PostgresLane {
        if let lane = free.popLast() { return lane }
        return await withCheckedContinuation { waiting.append($0) }
    }

    func release(_ lane: PostgresLane) {
        if waiting.isEmpty {
            free.append(lane)
        } else {
            waiting.removeFirst().resume(returning: lane)
        }
    }

    func close() async {
        for lane in all { await lane.close() }
    }
}
