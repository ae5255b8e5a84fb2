import Foundation
import GRDB
import ParticleCore

/// How a ledger is opened beyond its path.
public struct LedgerOptions: Sendable {
    /// The time recorded in timestamps (tests pass a fixed clock).
    public var clock: @Sendable () -> Date
    /// SQLite's `max_page_count` for this connection: caps the file's size in pages (4096 bytes); writes beyond it
    /// fail as a full disk does. Nil: no cap.
    public var pageLimit: Int?
    /// How long a write waits for another process holding the ledger before failing.
    public var busyTimeout: Double

    public init(clock: @escaping @Sendable () -> Date = { Date() }, pageLimit: Int? = nil, busyTimeout: Double = 10) {
        self.clock = clock
        self.pageLimit = pageLimit
        self.busyTimeout = busyTimeout
    }
}

/// The station's crash-safe record: SQLite (WAL, `synchronous = FULL`, foreign keys on) through GRDB. Every call is
/// one committed transaction, so whatever a call returned is on disk when the process dies right after.
public final class Ledger: Sendable {
    public static let defaultPath = "station.sqlite"

    /// The file this ledger is stored in.
    public let path: String
    /// Opened with ``openForReading(path:options:)``: every write fails as read-only.
    public let isReadOnly: Bool
    private let database: DatabaseQueue
    private let clock: @Sendable () -> Date

    /// Opens or creates; WAL; `synchronous = FULL`; foreign keys on; migrations through GRDB's migrator. Refuses a
    /// missing or read-only directory, a read-only file, a file that is not a ledger or has a newer schema, and a full
    /// disk (the probe write fails), each with a ``LedgerError``; a file this call created is removed on failure.
    public convenience init(path: String) async throws {
        try await self.init(path: path, options: LedgerOptions())
    }

    public init(path: String, options: LedgerOptions) async throws {
        self.path = path
        self.isReadOnly = false
        self.clock = options.clock
        self.database = try await LedgerOpener(path: path, options: options).openForWriting()
    }

    private init(path: String, database: DatabaseQueue, clock: @escaping @Sendable () -> Date) {
        self.path = path
        self.isReadOnly = true
        self.database = database
        self.clock = clock
    }

    /// Opens an existing ledger read-only, for reports: never creates or changes a file. No file → `missing`
    /// (exit 3); not a ledger → `notALedger` (exit 2).
    public static func openForReading(path: String, options: LedgerOptions = LedgerOptions()) async throws -> Ledger {
        let database = try await LedgerOpener(path: path, options: options).openForReading()
        return Ledger(path: path, database: database, clock: options.clock)
    }

    // MARK: - Attempts

    /// Attempts of `station` still `in_progress` (left by a crash or SIGKILL) become `interrupted` with `finished_at`
    /// set; their devices' `in_progress` status becomes `interrupted`. Returns how many attempts.
    public func recoverInterrupted(station: String) async throws -> Int {
        let now = timestamp()
        return try await write("recovering interrupted attempts") { db in
            let stale = try Row.fetchAll(db, sql: """
                SELECT id, device_id FROM attempts WHERE station = ? AND status = 'in_progress'
                """, arguments: [station])
            try db.execute(sql: """
                UPDATE attempts SET status = 'interrupted', finished_at = ?, error = COALESCE(error, ?)
                WHERE station = ? AND status = 'in_progress'
                """, arguments: [now, Self.interruptedReason, station])
            for row in stale {
                guard let deviceID: String = row["device_id"] else { continue }
                let attemptID: Int64 = row["id"]
                // Stopped before doing anything to the device (only identified, e.g. between recognising a provisioned
                // device and recording the skip): the device goes back to what it was, as a skip would have left it,
                // so a device provisioned earlier is still recognised on sight.
                if try Self.onlyIdentified(db, attemptID),
                   let before = try Self.deviceBefore(db, attemptID) {
                    try Self.restore(db, deviceID: deviceID, attempt: attemptID, to: before)
                    continue
                }
                try db.execute(sql: """
                    UPDATE devices SET status = 'interrupted', last_error = ?
                    WHERE device_id = ? AND status = 'in_progress' AND last_attempt = ?
                    """, arguments: [Self.interruptedReason, deviceID, attemptID])
            }
            return stale.count
        }
    }

    /// The error an attempt found `in_progress` at a restart is given.
    public static let interruptedReason = "the station stopped before this attempt finished (found at restart)"

    /// A new attempt (`in_progress`, started now, no device until ``attach(attempt:identity:)``). Called before the
    /// station touches the device: when it throws, the device must not be provisioned.
    public func beginAttempt(_ start: AttemptStart) async throws -> Int64 {
        let now = timestamp()
        return try await write("starting an attempt") { db in
            try db.execute(sql: """
                INSERT INTO attempts (station, slot, operator, lot, profile, status, started_at)
                VALUES (?, ?, ?, ?, ?, 'in_progress', ?)
                """, arguments: [start.station, start.slot, start.operatorName, start.lot, start.profile, now])
            return db.lastInsertedRowID
        }
    }

    /// The device is identified: returns its row as it was before this attempt (nil if never seen), then upserts it
    /// (first_seen kept, identity columns updated when non-nil, status `in_progress`, station/slot/operator/lot/
    /// profile of this attempt) and sets the attempt's device. One transaction. The row's key is `deviceID`; the
    /// other columns come from `identity` (platform by name, Device OS from `systemVersion`).
    public func attach(attempt: Int64, deviceID: DeviceID, identity: DeviceIdentity) async throws -> LedgerDevice? {
        let now = timestamp()
        let path = path
        let id = deviceID.rawValue
        return try await write("recording a device") { db in
            let start = try Self.requireAttempt(db, attempt, path: path)
            let before = try Self.fetchDevice(db, id)
            try db.execute(sql: """
                INSERT INTO devices (device_id, serial_number, platform, mac, imei, iccid, device_os, status, profile,
                                     first_seen, station, slot, operator, lot, last_attempt)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (device_id) DO UPDATE SET
                    serial_number = COALESCE(excluded.serial_number, serial_number),
                    platform = COALESCE(excluded.platform, platform),
                    mac = COALESCE(excluded.mac, mac),
                    imei = COALESCE(excluded.imei, imei),
                    iccid = COALESCE(excluded.iccid, iccid),
                    device_os = COALESCE(excluded.device_os, device_os),
                    status = 'in_progress', profile = excluded.profile, station = excluded.station,
                    slot = excluded.slot, operator = excluded.operator, lot = excluded.lot,
                    last_attempt = excluded.last_attempt
                """, arguments: [id, identity.serialNumber, identity.platform?.name, identity.mac,
                                 identity.imei, identity.iccid, identity.systemVersion, start.profile, now, start.station,
                                 start.slot, start.operatorName, start.lot, attempt])
            try db.execute(sql: "UPDATE attempts SET device_id = ?, device_before = ? WHERE id = ?",
                           arguments: [id, before.map { JSONOutput.line($0) }, attempt])
            return before
        }
    }

    /// One step's result, committed before the call returns (so before the next step starts).
    public func recordStep(attempt: Int64, _ step: StepRecord) async throws {
        let now = timestamp()
        let path = path
        try await write("recording step \(step.step)") { db in
            _ = try Self.requireAttempt(db, attempt, path: path)
            let ordinal = (try Int.fetchOne(db, sql: "SELECT MAX(ordinal) FROM steps WHERE attempt_id = ?",
                                            arguments: [attempt]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO steps (attempt_id, ordinal, step, outcome, seconds, detail, error, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [attempt, ordinal, step.step, step.outcome, step.seconds, step.detail, step.error, now])
        }
    }

    /// What provisioning found or did; nil fields leave the stored value.
    public func update(deviceID: String, _ outcome: DeviceOutcome) async throws {
        let path = path
        try await write("recording the outcome of \(deviceID)") { db in
            try db.execute(sql: """
                UPDATE devices SET name = COALESCE(?, name), owner = COALESCE(?, owner),
                    product = COALESCE(?, product), firmware = COALESCE(?, firmware),
                    firmware_verified = COALESCE(?, firmware_verified)
                WHERE device_id = ?
                """, arguments: [outcome.name, outcome.owner, outcome.product, outcome.firmware,
                                 outcome.firmwareVerified, deviceID])
            guard db.changesCount > 0 else { throw Self.unknownDevice(deviceID, path: path) }
        }
    }

    /// Ends the attempt (finished_at, status, failed step, error) and gives the device the same status, unless a
    /// later attempt has attached it since. A `skipped` attempt puts the device row back as it was before
    /// ``attach(attempt:identity:)``; `provisioned` sets the device's `finished_at` and clears `last_error`.
    public func finish(attempt: Int64, status: AttemptStatus, failedStep: String?, error: String?) async throws {
        let now = timestamp()
        let path = path
        try await write("finishing an attempt") { db in
            _ = try Self.requireAttempt(db, attempt, path: path)
            try db.execute(sql: """
                UPDATE attempts SET finished_at = ?, status = ?, failed_step = ?, error = ? WHERE id = ?
                """, arguments: [now, status.rawValue, failedStep, error, attempt])
            guard let row = try Row.fetchOne(db, sql: """
                SELECT devices.device_id, attempts.device_before FROM attempts
                JOIN devices ON devices.device_id = attempts.device_id AND devices.last_attempt = attempts.id
                WHERE attempts.id = ?
                """, arguments: [attempt]) else { return }  // never attached, or another attempt owns the device now
            let deviceID: String = row["device_id"]
            switch status {
            case .skipped:
                if let before = try Self.deviceBefore(db, attempt) {
                    try Self.restore(db, deviceID: deviceID, attempt: attempt, to: before)
                } else {
                    // Skipped at first sight: nothing to go back to; it was not provisioned here.
                    try db.execute(sql: "UPDATE devices SET status = 'interrupted' WHERE device_id = ?",
                                   arguments: [deviceID])
                }
            case .provisioned:
                try db.execute(sql: """
                    UPDATE devices SET status = 'provisioned', finished_at = ?, last_error = NULL WHERE device_id = ?
                    """, arguments: [now, deviceID])
            case .failed, .interrupted, .inProgress:
                try db.execute(sql: "UPDATE devices SET status = ?, last_error = ? WHERE device_id = ?",
                               arguments: [status.rawValue, error, deviceID])
            }
        }
    }

    /// A hook's run (`on_done` / `on_failed`): its command, exit code (nil when it did not start or timed out),
    /// seconds and error.
    public func recordHook(attempt: Int64, hook: String, command: String, exitCode: Int32?, seconds: Double,
                           error: String?) async throws {
        let now = timestamp()
        let path = path
        try await write("recording hook \(hook)") { db in
            _ = try Self.requireAttempt(db, attempt, path: path)
            try db.execute(sql: """
                INSERT INTO hooks (attempt_id, hook, command, exit_code, seconds, error, ran_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [attempt, hook, command, exitCode, seconds, error, now])
        }
    }

    // MARK: - Names

    /// The device's name under `template`: the one already allocated to it (a resumed device keeps its name), else
    /// the next sequence number for that template (max + 1, from 1) rendered by `render` and stored, in one
    /// transaction — no name is issued twice, even across crashes. A rendered name already issued (under another
    /// template) is passed over for the next number; a template that renders the same taken name for two numbers
    /// is a usage error (it has no sequence). Errors thrown by `render` come out unchanged.
    public func allocateName(deviceID: String, template: String,
                             render: @escaping @Sendable (Int) throws -> String) async throws -> String {
        let now = timestamp()
        let path = path
        return try await write("allocating a name for \(deviceID)") { db in
            if let existing = try String.fetchOne(db, sql: "SELECT name FROM names WHERE template = ? AND device_id = ?",
                                                  arguments: [template, deviceID]) {
                return existing
            }
            guard try Self.fetchDevice(db, deviceID) != nil else { throw Self.unknownDevice(deviceID, path: path) }
            var sequence = (try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM names WHERE template = ?",
                                             arguments: [template]) ?? 0) + 1
            var tried: Set<String> = []
            while true {
                let name = try render(sequence)
                guard tried.insert(name).inserted else {
                    // The template renders the same name for different numbers: it has no sequence in it.
                    throw UserError(.usage, "the name template \(template) gives the name \(name), already issued, "
                                    + "for every number; put {seq} in it")
                }
                let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM names WHERE name = ?)",
                                              arguments: [name]) ?? false
                if !taken {
                    try db.execute(sql: """
                        INSERT INTO names (template, seq, device_id, name, allocated_at) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [template, sequence, deviceID, name, now])
                    return name
                }
                sequence += 1
            }
        }
    }

    // MARK: - Reading

    public func device(_ deviceID: String) async throws -> LedgerDevice? {
        try await read("reading device \(deviceID)") { db in try Self.fetchDevice(db, deviceID) }
    }

    /// The attempt with its device row and steps: what hooks get on stdin as JSON.
    public func record(attempt: Int64) async throws -> LedgerRecord {
        let path = path
        return try await read("reading attempt \(attempt)") { db in
            let row = try Self.requireAttemptRow(db, attempt, path: path)
            let attemptValue = Self.attempt(from: row)
            let device = try attemptValue.deviceID.flatMap { try Self.fetchDevice(db, $0) }
            let steps = try Row.fetchAll(db, sql: """
                SELECT step, outcome, seconds, detail, error FROM steps WHERE attempt_id = ? ORDER BY ordinal
                """, arguments: [attempt]).map {
                StepRecord(step: $0["step"], outcome: $0["outcome"], seconds: $0["seconds"], detail: $0["detail"],
                           error: $0["error"])
            }
            return LedgerRecord(device: device, attempt: attemptValue, steps: steps)
        }
    }

    /// The report over the attempts `filter` selects (see ``LedgerReport``).
    public func report(_ filter: ReportFilter) async throws -> LedgerReport {
        let now = timestamp()
        let path = path
        return try await read("reading the report") { db in
            try LedgerReportQuery(filter: filter, ledger: path, generatedAt: now).run(db)
        }
    }

    // MARK: - Plumbing

    private func timestamp() -> String { LedgerTime.string(from: clock()) }

    private func write<T: Sendable>(_ action: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(body)
        } catch {
            throw LedgerError.from(error, path: path, doing: action)
        }
    }

    private func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw LedgerError.from(error, path: path, doing: action)
        }
    }

    /// The device's row as it was before `attempt` attached it (nil at first sight).
    private static func deviceBefore(_ db: Database, _ attempt: Int64) throws -> LedgerDevice? {
        guard let json = try String.fetchOne(db, sql: "SELECT device_before FROM attempts WHERE id = ?",
                                             arguments: [attempt]) else { return nil }
        return try? JSONDecoder().decode(LedgerDevice.self, from: Data(json.utf8))
    }

    /// Whether `attempt` recorded nothing beyond identifying the device.
    private static func onlyIdentified(_ db: Database, _ attempt: Int64) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM steps WHERE attempt_id = ? AND step <> 'identify'",
                         arguments: [attempt]) == 0
    }

    /// Puts the device's row back as it was before `attempt` (identity columns keep what was learnt), unless a later
    /// attempt owns it now.
    private static func restore(_ db: Database, deviceID: String, attempt: Int64, to before: LedgerDevice) throws {
        try db.execute(sql: """
            UPDATE devices SET status = ?, profile = ?, station = ?, slot = ?, operator = ?, lot = ?, last_attempt = ?
            WHERE device_id = ? AND last_attempt = ?
            """, arguments: [before.status.rawValue, before.profile, before.station, before.slot,
                             before.operatorName, before.lot, before.lastAttempt, deviceID, attempt])
    }

    private static func unknownDevice(_ deviceID: String, path: String) -> LedgerError {
        LedgerError(.unknownRecord, path: path, "the ledger \(path) has no device \(deviceID)")
    }

    private static func requireAttemptRow(_ db: Database, _ id: Int64, path: String) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM attempts WHERE id = ?", arguments: [id]) else {
            throw LedgerError(.unknownRecord, path: path, "the ledger \(path) has no attempt \(id)")
        }
        return row
    }

    private static func requireAttempt(_ db: Database, _ id: Int64, path: String) throws -> LedgerAttempt {
        attempt(from: try requireAttemptRow(db, id, path: path))
    }

    static func fetchDevice(_ db: Database, _ deviceID: String) throws -> LedgerDevice? {
        try Row.fetchOne(db, sql: "SELECT * FROM devices WHERE device_id = ?", arguments: [deviceID]).map(device(from:))
    }

    static func device(from row: Row) -> LedgerDevice {
        LedgerDevice(deviceID: row["device_id"], serialNumber: row["serial_number"], platform: row["platform"],
                     mac: row["mac"], imei: row["imei"], iccid: row["iccid"], deviceOS: row["device_os"],
                     name: row["name"], owner: row["owner"], product: row["product"], firmware: row["firmware"],
                     firmwareVerified: row["firmware_verified"],
                     status: DeviceStatus(rawValue: row["status"] ?? "") ?? .interrupted, profile: row["profile"],
                     firstSeen: row["first_seen"], finishedAt: row["finished_at"], station: row["station"],
                     slot: row["slot"], operatorName: row["operator"], lot: row["lot"], lastError: row["last_error"],
                     lastAttempt: row["last_attempt"])
    }

    static func attempt(from row: Row) -> LedgerAttempt {
        LedgerAttempt(id: row["id"], deviceID: row["device_id"], station: row["station"], slot: row["slot"],
                      operatorName: row["operator"], lot: row["lot"], profile: row["profile"],
                      status: AttemptStatus(rawValue: row["status"] ?? "") ?? .interrupted,
                      startedAt: row["started_at"], finishedAt: row["finished_at"], failedStep: row["failed_step"],
                      error: row["error"])
    }
}
