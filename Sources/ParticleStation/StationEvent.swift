import Foundation

/// One thing that happened at the station: a device attached to a slot, a step started or ended, a device finished.
/// The `--json` stream is one of these per line; every key is always present (null when it does not apply).
public struct StationEvent: Sendable, Equatable, Encodable {
    public enum Outcome: String, Sendable, Codable {
        /// A device appeared in the slot (`step` "slot").
        case attached
        /// The device left the slot (unplugged) (`step` "slot").
        case detached
        case started, done, skipped, failed, interrupted
        /// The step is tried again (a failure a rerun can cure, within the profile's retries).
        case retrying
        /// Something worth telling inside a step.
        case note
        /// The device's end (`step` "result"): provisioned, failed, interrupted or skipped.
        case provisioned
        /// The station stopped (`step` "station").
        case finished
    }

    public var time: Date
    /// The hub port ("1-1.3") or fixed port ("ttyACM0"); nil for the station's own events.
    public var slot: String?
    public var port: String?
    public var deviceID: String?
    /// A provisioning step ("identify" … "flash"), "acceptance", "hook", "slot", "result", "ledger" or "station".
    public var step: String
    public var outcome: Outcome
    public var seconds: Double?
    public var detail: String?
    public var error: String?

    public init(time: Date = Date(), slot: String?, port: String?, deviceID: String?, step: String, outcome: Outcome,
                seconds: Double? = nil, detail: String? = nil, error: String? = nil) {
        self.time = time
        self.slot = slot
        self.port = port
        self.deviceID = deviceID
        self.step = step
        self.outcome = outcome
        self.seconds = seconds
        self.detail = detail
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case time, slot, port, step, outcome, seconds, detail, error
        case deviceID = "device_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.timestamp(time), forKey: .time)
        try container.encode(slot, forKey: .slot)
        try container.encode(port, forKey: .port)
        try container.encode(deviceID, forKey: .deviceID)
        try container.encode(step, forKey: .step)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(seconds.map { ($0 * 1000).rounded() / 1000 }, forKey: .seconds)
        try container.encode(detail, forKey: .detail)
        try container.encode(error, forKey: .error)
    }

    /// ISO 8601, UTC, milliseconds.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// How a station run ended, and what it did.
public struct StationSummary: Sendable, Equatable, Encodable {
    public enum Stop: String, Sendable, Codable {
        /// `--count` devices finished.
        case countReached = "count-reached"
        /// Asked to stop (SIGINT/SIGTERM: the run's task was cancelled).
        case stopped
        /// The ledger could not be written: no new device was taken.
        case ledgerUnavailable = "ledger-unavailable"
    }

    public var provisioned = 0
    public var failed = 0
    public var interrupted = 0
    public var skipped = 0
    /// Attempts a previous run left in progress (a crash), marked interrupted at start.
    public var recovered = 0
    public var seconds = 0.0
    /// Connections opened to the cloud's event stream (one per station, more only after the stream broke).
    public var eventStreamConnections = 0
    public var stop: Stop = .stopped
    /// Why the ledger stopped the station (with `stop` ledger-unavailable).
    public var ledgerError: String?

    public var finished: Int { provisioned + failed + interrupted + skipped }

    enum CodingKeys: String, CodingKey {
        case provisioned, failed, interrupted, skipped, recovered, seconds, stop
        case eventStreamConnections = "event_stream_connections"
        case ledgerError = "ledger_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provisioned, forKey: .provisioned)
        try container.encode(failed, forKey: .failed)
        try container.encode(interrupted, forKey: .interrupted)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(recovered, forKey: .recovered)
        try container.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        try container.encode(eventStreamConnections, forKey: .eventStreamConnections)
        try container.encode(stop, forKey: .stop)
        try container.encode(ledgerError, forKey: .ledgerError)
    }
}
