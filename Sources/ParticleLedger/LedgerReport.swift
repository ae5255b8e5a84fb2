import Foundation
import ParticleCore

/// Which attempts a report covers. Nil fields do not filter.
public struct ReportFilter: Sendable, Equatable {
    /// Attempts started at or after this time.
    public var since: Date?
    /// Attempts of this lot.
    public var lot: String?
    /// Attempts of devices whose current status is this (an attempt that never identified its device: its own status).
    public var status: DeviceStatus?
    /// Attempts made by this station.
    public var station: String?

    public init(since: Date? = nil, lot: String? = nil, status: DeviceStatus? = nil, station: String? = nil) {
        self.since = since
        self.lot = lot
        self.status = status
        self.station = station
    }
}

/// What `station report` shows: the devices the selected attempts touched, how long each step took, failures by step
/// and reason, throughput per hour, who provisioned what, and totals. JSON: snake_case keys, every key present.
public struct LedgerReport: Sendable, Codable, Equatable {
    /// The filter as applied (`since` as a ledger timestamp).
    public struct Filter: Sendable, Codable, Equatable {
        public var since: String?
        public var lot: String?
        public var status: DeviceStatus?
        public var station: String?

        public init(since: String?, lot: String?, status: DeviceStatus?, station: String?) {
            self.since = since
            self.lot = lot
            self.status = status
            self.station = station
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(since, forKey: .since)
            try container.encode(lot, forKey: .lot)
            try container.encode(status, forKey: .status)
            try container.encode(station, forKey: .station)
        }
    }

    /// A device row and how many selected attempts it had.
    public struct Device: Sendable, Codable, Equatable {
        public var device: LedgerDevice
        public var attempts: Int

        public init(device: LedgerDevice, attempts: Int) {
            self.device = device
            self.attempts = attempts
        }

        private enum Extra: String, CodingKey { case attempts }

        public init(from decoder: any Decoder) throws {
            device = try LedgerDevice(from: decoder)
            attempts = try decoder.container(keyedBy: Extra.self).decode(Int.self, forKey: .attempts)
        }

        /// The device's keys and `attempts`, in one flat object.
        public func encode(to encoder: any Encoder) throws {
            try device.encode(to: encoder)
            var container = encoder.container(keyedBy: Extra.self)
            try container.encode(attempts, forKey: .attempts)
        }
    }

    /// Durations of one step over the steps that completed (outcome `done`), in seconds rounded to milliseconds.
    public struct StepTiming: Sendable, Codable, Equatable {
        public var step: String
        public var count: Int
        public var meanSeconds: Double
        public var medianSeconds: Double
        public var maxSeconds: Double

        public init(step: String, count: Int, meanSeconds: Double, medianSeconds: Double, maxSeconds: Double) {
            self.step = step
            self.count = count
            self.meanSeconds = meanSeconds
            self.medianSeconds = medianSeconds
            self.maxSeconds = maxSeconds
        }

        enum CodingKeys: String, CodingKey {
            case step, count, meanSeconds = "mean_seconds", medianSeconds = "median_seconds", maxSeconds = "max_seconds"
        }
    }

    /// Failed attempts with the same failed step and error.
    public struct Failure: Sendable, Codable, Equatable {
        public var step: String?
        public var reason: String?
        public var count: Int

        public init(step: String?, reason: String?, count: Int) {
            self.step = step
            self.reason = reason
            self.count = count
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(step, forKey: .step)
            try container.encode(reason, forKey: .reason)
            try container.encode(count, forKey: .count)
        }
    }

    /// Attempts that finished provisioned or failed within one hour (UTC).
    public struct Hour: Sendable, Codable, Equatable {
        public var hour: String
        public var provisioned: Int
        public var failed: Int

        public init(hour: String, provisioned: Int, failed: Int) {
            self.hour = hour
            self.provisioned = provisioned
            self.failed = failed
        }
    }

    /// Attempts per station and operator.
    public struct Operator: Sendable, Codable, Equatable {
        public var station: String
        public var operatorName: String?
        public var attempts: Int
        public var provisioned: Int
        public var failed: Int

        public init(station: String, operatorName: String?, attempts: Int, provisioned: Int, failed: Int) {
            self.station = station
            self.operatorName = operatorName
            self.attempts = attempts
            self.provisioned = provisioned
            self.failed = failed
        }

        enum CodingKeys: String, CodingKey { case station, operatorName = "operator", attempts, provisioned, failed }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(station, forKey: .station)
            try container.encode(operatorName, forKey: .operatorName)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(provisioned, forKey: .provisioned)
            try container.encode(failed, forKey: .failed)
        }
    }

    /// One station's share of the selected attempts (several stations share a PostgreSQL ledger).
    public struct StationTotals: Sendable, Codable, Equatable {
        public var station: String
        public var attempts: Int
        /// Distinct devices its attempts identified.
        public var devices: Int
        public var provisioned: Int
        public var failed: Int
        public var interrupted: Int
        public var skipped: Int
        public var inProgress: Int
        public var firstStartedAt: String?
        public var lastFinishedAt: String?

        public init(station: String, attempts: Int, devices: Int, provisioned: Int, failed: Int, interrupted: Int,
                    skipped: Int, inProgress: Int, firstStartedAt: String?, lastFinishedAt: String?) {
            self.station = station
            self.attempts = attempts
            self.devices = devices
            self.provisioned = provisioned
            self.failed = failed
            self.interrupted = interrupted
            self.skipped = skipped
            self.inProgress = inProgress
            self.firstStartedAt = firstStartedAt
            self.lastFinishedAt = lastFinishedAt
        }

        enum CodingKeys: String, CodingKey {
            case station, attempts, devices, provisioned, failed, interrupted, skipped, inProgress = "in_progress"
            case firstStartedAt = "first_started_at", lastFinishedAt = "last_finished_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(station, forKey: .station)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(devices, forKey: .devices)
            try container.encode(provisioned, forKey: .provisioned)
            try container.encode(failed, forKey: .failed)
            try container.encode(interrupted, forKey: .interrupted)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(inProgress, forKey: .inProgress)
            try container.encode(firstStartedAt, forKey: .firstStartedAt)
            try container.encode(lastFinishedAt, forKey: .lastFinishedAt)
        }
    }

    /// Counts over the selection: devices by current status, attempts by status, and the time span.
    public struct Totals: Sendable, Codable, Equatable {
        public var devices: Int
        public var devicesProvisioned: Int
        public var devicesFailed: Int
        public var devicesInterrupted: Int
        public var devicesInProgress: Int
        public var attempts: Int
        public var attemptsProvisioned: Int
        public var attemptsFailed: Int
        public var attemptsInterrupted: Int
        public var attemptsSkipped: Int
        public var attemptsInProgress: Int
        /// Attempts that ended before a device was identified (no device row).
        public var attemptsUnidentified: Int
        public var firstStartedAt: String?
        public var lastFinishedAt: String?

        public init(devices: Int = 0, devicesProvisioned: Int = 0, devicesFailed: Int = 0, devicesInterrupted: Int = 0,
                    devicesInProgress: Int = 0, attempts: Int = 0, attemptsProvisioned: Int = 0, attemptsFailed: Int = 0,
                    attemptsInterrupted: Int = 0, attemptsSkipped: Int = 0, attemptsInProgress: Int = 0,
                    attemptsUnidentified: Int = 0, firstStartedAt: String? = nil, lastFinishedAt: String? = nil) {
            self.devices = devices
            self.devicesProvisioned = devicesProvisioned
            self.devicesFailed = devicesFailed
            self.devicesInterrupted = devicesInterrupted
            self.devicesInProgress = devicesInProgress
            self.attempts = attempts
            self.attemptsProvisioned = attemptsProvisioned
            self.attemptsFailed = attemptsFailed
            self.attemptsInterrupted = attemptsInterrupted
            self.attemptsSkipped = attemptsSkipped
            self.attemptsInProgress = attemptsInProgress
            self.attemptsUnidentified = attemptsUnidentified
            self.firstStartedAt = firstStartedAt
            self.lastFinishedAt = lastFinishedAt
        }

        enum CodingKeys: String, CodingKey {
            case devices, devicesProvisioned = "devices_provisioned", devicesFailed = "devices_failed"
            case devicesInterrupted = "devices_interrupted", devicesInProgress = "devices_in_progress", attempts
            case attemptsProvisioned = "attempts_provisioned", attemptsFailed = "attempts_failed"
            case attemptsInterrupted = "attempts_interrupted", attemptsSkipped = "attempts_skipped"
            case attemptsInProgress = "attempts_in_progress", attemptsUnidentified = "attempts_unidentified"
            case firstStartedAt = "first_started_at", lastFinishedAt = "last_finished_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(devices, forKey: .devices)
            try container.encode(devicesProvisioned, forKey: .devicesProvisioned)
            try container.encode(devicesFailed, forKey: .devicesFailed)
            try container.encode(devicesInterrupted, forKey: .devicesInterrupted)
            try container.encode(devicesInProgress, forKey: .devicesInProgress)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(attemptsProvisioned, forKey: .attemptsProvisioned)
            try container.encode(attemptsFailed, forKey: .attemptsFailed)
            try container.encode(attemptsInterrupted, forKey: .attemptsInterrupted)
            try container.encode(attemptsSkipped, forKey: .attemptsSkipped)
            try container.encode(attemptsInProgress, forKey: .attemptsInProgress)
            try container.encode(attemptsUnidentified, forKey: .attemptsUnidentified)
            try container.encode(firstStartedAt, forKey: .firstStartedAt)
            try container.encode(lastFinishedAt, forKey: .lastFinishedAt)
        }
    }

    public var ledger: String
    public var generatedAt: String
    public var filter: Filter
    public var totals: Totals
    public var devices: [Device]
    public var steps: [StepTiming]
    public var failures: [Failure]
    public var throughput: [Hour]
    public var operators: [Operator]
    /// Per station, by name: every station that made a selected attempt.
    public var stations: [StationTotals]
    public var particlectlVersion: String

    public init(ledger: String, generatedAt: String, filter: Filter, totals: Totals, devices: [Device],
                steps: [StepTiming], failures: [Failure], throughput: [Hour], operators: [Operator],
                stations: [StationTotals] = [], particlectlVersion: String = ParticlectlVersion.string) {
        self.ledger = ledger
        self.generatedAt = generatedAt
        self.filter = filter
        self.totals = totals
        self.devices = devices
        self.steps = steps
        self.failures = failures
        self.throughput = throughput
        self.operators = operators
        self.stations = stations
        self.particlectlVersion = particlectlVersion
    }

    enum CodingKeys: String, CodingKey {
        case ledger, generatedAt = "generated_at", filter, totals, devices, steps, failures, throughput, operators
        case stations
        case particlectlVersion = "particlectl_version"
    }
}

/// The SQL behind ``Ledger/report(_:)``: portable SQL (the subset SQLite and PostgreSQL share, text timestamps, byte
/// order on PostgreSQL through `COLLATE "C"` columns) and the same arithmetic in Swift, so both back-ends give the same
/// report for the same rows.
struct LedgerReportQuery {
    var filter: ReportFilter
    var ledger: String
    var generatedAt: String

    /// The selected attempts, as a common table expression every query starts from; only the filters given are in
    /// it (an untyped NULL parameter is an error on PostgreSQL).
    private func selection(since: String?) -> LedgerStatement {
        var conditions: [String] = []
        var arguments: [LedgerValue] = []
        if let since {
            conditions.append("attempts.started_at >= ?")
            arguments.append(.text(since))
        }
        if let lot = filter.lot {
            conditions.append("attempts.lot = ?")
            arguments.append(.text(lot))
        }
        if let station = filter.station {
            conditions.append("attempts.station = ?")
            arguments.append(.text(station))
        }
        if let status = filter.status {
            conditions.append("COALESCE(devices.status, attempts.status) = ?")
            arguments.append(.text(status.rawValue))
        }
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return LedgerStatement("""
            WITH selected AS (
                SELECT attempts.* FROM attempts LEFT JOIN devices ON devices.device_id = attempts.device_id
                \(clause)
            )
            """, arguments)
    }

    /// `1` when the condition holds: a count by SUM, the same on both back-ends.
    private static func when(_ condition: String) -> String { "SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END)" }

    func run(_ tx: any LedgerTransaction) throws -> LedgerReport {
        let since = filter.since.map(LedgerTime.string(from:))
        let selection = selection(since: since)
        func rows(_ sql: String) throws -> [LedgerRow] {
            try tx.rows(selection.sql + "\n" + sql, selection.arguments)
        }

        let devices = try rows("""
            SELECT devices.*, COUNT(selected.id) AS selected_attempts FROM devices
            JOIN selected ON selected.device_id = devices.device_id
            GROUP BY devices.device_id ORDER BY devices.first_seen, devices.device_id
            """).map { LedgerReport.Device(device: LedgerRows.device($0), attempts: $0.int("selected_attempts") ?? 0) }

        let stepRows = try rows("""
            SELECT steps.step, steps.seconds, steps.ordinal FROM steps JOIN selected ON selected.id = steps.attempt_id
            WHERE steps.outcome = 'done'
            """)
        let steps = Self.timings(stepRows.map { (step: $0.string("step") ?? "", seconds: $0.double("seconds") ?? 0,
                                                 ordinal: $0.int("ordinal") ?? 0) })

        let failures = try rows("""
            SELECT failed_step, error, COUNT(*) AS n FROM selected WHERE status = 'failed'
            GROUP BY failed_step, error ORDER BY n DESC, failed_step NULLS FIRST, error NULLS FIRST
            """).map { LedgerReport.Failure(step: $0.string("failed_step"), reason: $0.string("error"),
                                            count: $0.int("n") ?? 0) }

        let throughput = try rows("""
            SELECT substr(finished_at, 1, 13) || ':00:00Z' AS hour,
                   \(Self.when("status = 'provisioned'")) AS provisioned, \(Self.when("status = 'failed'")) AS failed
            FROM selected WHERE finished_at IS NOT NULL AND status IN ('provisioned', 'failed')
            GROUP BY substr(finished_at, 1, 13) ORDER BY hour
            """).map { LedgerReport.Hour(hour: $0.string("hour") ?? "", provisioned: $0.int("provisioned") ?? 0,
                                         failed: $0.int("failed") ?? 0) }

        let operators = try rows("""
            SELECT station, operator, COUNT(*) AS attempts, \(Self.when("status = 'provisioned'")) AS provisioned,
                   \(Self.when("status = 'failed'")) AS failed
            FROM selected GROUP BY station, operator ORDER BY station, operator NULLS FIRST
            """).map {
            LedgerReport.Operator(station: $0.string("station") ?? "", operatorName: $0.string("operator"),
                                  attempts: $0.int("attempts") ?? 0, provisioned: $0.int("provisioned") ?? 0,
                                  failed: $0.int("failed") ?? 0)
        }

        let stations = try rows("""
            SELECT station, COUNT(*) AS attempts, COUNT(DISTINCT device_id) AS devices,
                   \(Self.when("status = 'provisioned'")) AS provisioned, \(Self.when("status = 'failed'")) AS failed,
                   \(Self.when("status = 'interrupted'")) AS interrupted, \(Self.when("status = 'skipped'")) AS skipped,
                   \(Self.when("status = 'in_progress'")) AS in_progress,
                   MIN(started_at) AS first_started, MAX(finished_at) AS last_finished
            FROM selected GROUP BY station ORDER BY station
            """).map {
            LedgerReport.StationTotals(
                station: $0.string("station") ?? "", attempts: $0.int("attempts") ?? 0, devices: $0.int("devices") ?? 0,
                provisioned: $0.int("provisioned") ?? 0, failed: $0.int("failed") ?? 0,
                interrupted: $0.int("interrupted") ?? 0, skipped: $0.int("skipped") ?? 0,
                inProgress: $0.int("in_progress") ?? 0, firstStartedAt: $0.string("first_started"),
                lastFinishedAt: $0.string("last_finished"))
        }

        var totals = LedgerReport.Totals()
        totals.devices = devices.count
        for entry in devices {
            switch entry.device.status {
            case .provisioned: totals.devicesProvisioned += 1
            case .failed: totals.devicesFailed += 1
            case .interrupted: totals.devicesInterrupted += 1
            case .inProgress: totals.devicesInProgress += 1
            }
        }
        if let row = try rows("""
            SELECT COUNT(*) AS attempts, \(Self.when("device_id IS NULL")) AS unidentified,
                   MIN(started_at) AS first_started, MAX(finished_at) AS last_finished,
                   \(Self.when("status = 'provisioned'")) AS provisioned, \(Self.when("status = 'failed'")) AS failed,
                   \(Self.when("status = 'interrupted'")) AS interrupted, \(Self.when("status = 'skipped'")) AS skipped,
                   \(Self.when("status = 'in_progress'")) AS in_progress
            FROM selected
            """).first {
            totals.attempts = row.int("attempts") ?? 0
            totals.attemptsUnidentified = row.int("unidentified") ?? 0
            totals.attemptsProvisioned = row.int("provisioned") ?? 0
            totals.attemptsFailed = row.int("failed") ?? 0
            totals.attemptsInterrupted = row.int("interrupted") ?? 0
            totals.attemptsSkipped = row.int("skipped") ?? 0
            totals.attemptsInProgress = row.int("in_progress") ?? 0
            totals.firstStartedAt = row.string("first_started")
            totals.lastFinishedAt = row.string("last_finished")
        }

        return LedgerReport(
            ledger: ledger, generatedAt: generatedAt,
            filter: .init(since: since, lot: filter.lot, status: filter.status, station: filter.station),
            totals: totals, devices: devices, steps: steps, failures: failures, throughput: throughput,
            operators: operators, stations: stations)
    }

    /// Count, mean, median and max per step, steps in the order they run (their lowest position in an attempt).
    static func timings(_ samples: [(step: String, seconds: Double, ordinal: Int)]) -> [LedgerReport.StepTiming] {
        var durations: [String: [Double]] = [:]
        var position: [String: Int] = [:]
        for sample in samples {
            durations[sample.step, default: []].append(sample.seconds)
            position[sample.step] = min(position[sample.step] ?? .max, sample.ordinal)
        }
        return durations.keys.sorted { (position[$0] ?? 0, $0) < (position[$1] ?? 0, $1) }.compactMap { step in
            guard let values = durations[step]?.sorted(), let maximum = values.last else { return nil }
            let middle = values.count / 2
            let median = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
            let mean = values.reduce(0, +) / Double(values.count)
            return LedgerReport.StepTiming(step: step, count: values.count, meanSeconds: rounded(mean),
                                           medianSeconds: rounded(median), maxSeconds: rounded(maximum))
        }
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
