import Foundation
import ParticleStation

/// What the dashboard shows, built from the station's events alone (pure: tested on recorded events): one tile per
/// slot, the counters, the last failures, who runs the station and which lot.
public struct DashboardBoard: Sendable {
    /// A slot's tile.
    public struct Tile: Sendable, Equatable, Encodable {
        public enum State: String, Sendable, Encodable {
            case idle, working, done, failed, interrupted, skipped
        }

        public var slot: String
        public var state: State
        /// Working: the step under way; failed/interrupted: the step it ended at.
        public var step: String?
        /// Working: when the current step started (the page counts the elapsed time itself).
        public var since: Date?
        public var deviceID: String?
        public var name: String?
        /// Failed, interrupted, skipped: why.
        public var reason: String?
        /// Done: how long the device took.
        public var seconds: Double?

        public init(slot: String, state: State, step: String? = nil, since: Date? = nil, deviceID: String? = nil,
                    name: String? = nil, reason: String? = nil, seconds: Double? = nil) {
            self.slot = slot
            self.state = state
            self.step = step
            self.since = since
            self.deviceID = deviceID
            self.name = name
            self.reason = reason
            self.seconds = seconds
        }

        enum CodingKeys: String, CodingKey {
            case slot, state, step, since, name, reason, seconds
            case deviceID = "device_id"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(slot, forKey: .slot)
            try container.encode(state, forKey: .state)
            try container.encode(step, forKey: .step)
            try container.encode(since.map(StationEvent.timestamp), forKey: .since)
            try container.encode(deviceID, forKey: .deviceID)
            try container.encode(name, forKey: .name)
            try container.encode(reason, forKey: .reason)
            try container.encode(seconds.map { ($0 * 10).rounded() / 10 }, forKey: .seconds)
        }
    }

    /// A device that failed (or was interrupted), most recent first on the page.
    public struct Failure: Sendable, Equatable, Encodable {
        public var time: Date
        public var slot: String
        public var deviceID: String?
        public var step: String?
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case time, slot, step, reason
            case deviceID = "device_id"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(StationEvent.timestamp(time), forKey: .time)
            try container.encode(slot, forKey: .slot)
            try container.encode(deviceID, forKey: .deviceID)
            try container.encode(step, forKey: .step)
            try container.encode(reason, forKey: .reason)
        }
    }

    public struct Counters: Sendable, Equatable, Encodable {
        public var done = 0
        public var failed = 0
        public var interrupted = 0
        public var skipped = 0
        /// Devices provisioned per hour since the station started (nil before the first minute's worth of data).
        public var perHour: Double?
        /// Median seconds per provisioned device.
        public var medianSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case done, failed, interrupted, skipped
            case perHour = "per_hour"
            case medianSeconds = "median_seconds"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(done, forKey: .done)
            try container.encode(failed, forKey: .failed)
            try container.encode(interrupted, forKey: .interrupted)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(perHour.map { $0.rounded() }, forKey: .perHour)
            try container.encode(medianSeconds.map { ($0 * 10).rounded() / 10 }, forKey: .medianSeconds)
        }
    }

    public let station: String
    public let operatorName: String?
    public let lot: String?
    public let started: Date
    public private(set) var tiles: [Tile] = []
    public private(set) var counters = Counters()
    public private(set) var failures: [Failure] = []
    /// The station stopped (its last event), or the ledger stopped it taking devices: the reason.
    public private(set) var finished = false
    public private(set) var alert: String?
    private var durations: [Double] = []
    private var lastEvent: Date

    /// How many failures the page lists.
    public static let failuresShown = 8

    public init(station: String, operatorName: String?, lot: String?, started: Date = Date()) {
        self.station = station
        self.operatorName = operatorName
        self.lot = lot
        self.started = started
        self.lastEvent = started
    }

    /// Takes one station event. `name` is the device's name when it is known (the ledger's, looked up by the caller
    /// when a device is provisioned).
    public mutating func apply(_ event: StationEvent, name: String? = nil) {
        lastEvent = max(lastEvent, event.time)
        guard let slot = event.slot else {
            switch (event.step, event.outcome) {
            case ("station", .finished):
                finished = true
                if let error = event.error { alert = error }
            case ("ledger", .failed), ("station", .failed):
                alert = event.error
            default:
                break
            }
            refreshRates()
            return
        }
        var tile = tiles.first { $0.slot == slot } ?? Tile(slot: slot, state: .idle)
        if let id = event.deviceID { tile.deviceID = id }
        switch (event.step, event.outcome) {
        case ("slot", .attached):
            tile = Tile(slot: slot, state: .working, step: "identify", since: event.time)
        case ("slot", .detached):
            if tile.state == .working { tile.reason = "unplugged" }
        case ("hook", _), ("note", _):
            break
        case ("result", .provisioned):
            tile.state = .done
            tile.step = nil
            tile.since = nil
            tile.name = name ?? tile.name
            tile.seconds = event.seconds
            tile.reason = nil
            counters.done += 1
            if let seconds = event.seconds { durations.append(seconds) }
        case ("result", .skipped):
            tile.state = .skipped
            tile.since = nil
            tile.step = nil
            tile.name = name ?? tile.name
            tile.reason = event.detail
            counters.skipped += 1
        case ("result", .failed), ("result", .interrupted):
            let interrupted = event.outcome == .interrupted
            tile.state = interrupted ? .interrupted : .failed
            tile.since = nil
            tile.reason = event.error ?? event.detail ?? (interrupted ? "interrupted" : "failed")
            if interrupted { counters.interrupted += 1 } else { counters.failed += 1 }
            failures.insert(Failure(time: event.time, slot: slot, deviceID: tile.deviceID, step: tile.step,
                                    reason: tile.reason ?? ""), at: 0)
            if failures.count > Self.failuresShown { failures.removeLast(failures.count - Self.failuresShown) }
        case (let step, .started), (let step, .retrying):
            tile.state = .working
            tile.step = step
            tile.since = event.time
        case (let step, .failed), (let step, .interrupted):
            tile.step = step
        default:
            break
        }
        if let index = tiles.firstIndex(where: { $0.slot == slot }) {
            tiles[index] = tile
        } else {
            tiles.append(tile)
            tiles.sort { Self.slotOrder($0.slot, $1.slot) }
        }
        refreshRates()
    }

    private mutating func refreshRates() {
        let sorted = durations.sorted()
        if !sorted.isEmpty {
            let middle = sorted.count / 2
            counters.medianSeconds = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
        let hours = lastEvent.timeIntervalSince(started) / 3600
        counters.perHour = counters.done > 0 && hours > 0 ? Double(counters.done) / hours : nil
    }

    /// "1-1.2" before "1-1.10": numbers compared as numbers.
    static func slotOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }
}

/// The board as the page receives it (`GET /state`, and each server-sent event): snake_case keys, all present.
public struct DashboardSnapshot: Sendable, Encodable {
    public var board: DashboardBoard

    public init(_ board: DashboardBoard) { self.board = board }

    enum CodingKeys: String, CodingKey {
        case station, operatorName = "operator", lot, started, finished, alert, counters, tiles, failures
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(board.station, forKey: .station)
        try container.encode(board.operatorName, forKey: .operatorName)
        try container.encode(board.lot, forKey: .lot)
        try container.encode(StationEvent.timestamp(board.started), forKey: .started)
        try container.encode(board.finished, forKey: .finished)
        try container.encode(board.alert, forKey: .alert)
        try container.encode(board.counters, forKey: .counters)
        try container.encode(board.tiles, forKey: .tiles)
        try container.encode(board.failures, forKey: .failures)
    }

    /// One line of JSON, keys sorted.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
