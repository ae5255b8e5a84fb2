import Foundation
import ParticleCore
import Synchronization

/// How a ledger is opened beyond its path.
public struct LedgerOptions: Sendable {
    /// The time recorded in timestamps (tests pass a fixed clock).
    public var clock: @Sendable () -> Date
    /// SQLite's `max_page_count` for this connection: caps the file's size in pages (4096 bytes); writes beyond it
    /// fail as a full disk does. Nil: no cap.
    public var pageLimit: Int?
    /// How long a write waits for another process holding the ledger before failing.
    public var busyTimeout: Double

    /// Where a `postgres://` ledger's missing parts come from (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`,
    /// `PGPASSWORD`, `PGPASSFILE`, `HOME` for `~/.pgpass`).
    public var environment: [String: String]
    /// Told what libpq would warn about (a `~/.pgpass` readable by others, ignored). Default: stderr.
    public var warn: @Sendable (String) -> Void
    /// How long to wait for a PostgreSQL server to accept a connection.
    public var connectTimeout: Double

    public init(clock: @escaping @Sendable () -> Date = { Date() }, pageLimit: Int? = nil, busyTimeout: Double = 10,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                warn: @escaping @Sendable (String) -> Void = LedgerOptions.standardError, connectTimeout: Double = 5) {
        self.clock = clock
        self.pageLimit = pageLimit
        self.busyTimeout = busyTimeout
        self.environment = environment
        self.warn = warn
        self.connectTimeout = connectTimeout
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("particlectl: warning: \(line)\n".utf8))
    }
}

/// The station's crash-safe record, on one of two back-ends: an SQLite file (WAL, `synchronous = FULL`, foreign keys
/// on) through GRDB — the embedded default — or a PostgreSQL database through postgres-nio (`postgres://…`), which
/// several stations share. Every call is one committed transaction, so whatever a call returned is stored when the
/// process dies right after. On PostgreSQL a call whose change is one statement sends just that statement (atomic by
/// itself, committed on its own) without BEGIN and COMMIT: each is a round trip and a device makes many calls. The same schema, migrations and SQL on both (see ``LedgerOperations``).
public final class Ledger: Sendable {
    public static let defaultPath = "station.sqlite"

    /// The file this ledger is stored in, or the PostgreSQL URL (never with a password).
    public let path: String
    /// Opened with ``openForReading(path:options:)``: every write fails as read-only.
    public let isReadOnly: Bool
    /// Which back-end holds it.
    public let kind: LedgerLocation.Kind
    private let backend: any LedgerBackend
    private let clock: @Sendable () -> Date
    /// PostgreSQL: each name template's highest number as last seen here, the next allocation's guess.
    private let nameTops = Mutex<[String: Int]>([:])

    /// Opens or creates; migrations are applied at opening. SQLite: WAL; `synchronous = FULL`; foreign keys on;
    /// refuses a missing or read-only directory, a read-only file, a file that is not a ledger or has a newer schema,
    /// and a full disk (the probe write fails), each with a ``LedgerError``; a file this call created is removed on
    /// failure. `postgres://` (or `postgresql://`): see ``LedgerLocation``; refuses a password in the URL, an
    /// unreachable server, a refused login, a missing database, a database that is not a ledger or is newer.
    public convenience init(path: String) async throws {
        try await self.init(path: path, options: LedgerOptions())
    }

    public init(path: String, options: LedgerOptions) async throws {
        let location = try LedgerLocation(path, environment: options.environment, warn: options.warn)
        self.path = location.description
        self.kind = location.kind
        self.isReadOnly = false
        self.clock = options.clock
        switch location {
        case .sqlite(let file):
            let database = try await LedgerOpener(path: file, options: options).openForWriting()
            self.backend = SQLiteLedgerBackend(path: file, database: database, readOnly: false)
        case .postgres(let address):
            self.backend = try await PostgresLedgerBackend.open(address, options: options, readOnly: false).backend
        }
    }

    private init(backend: any LedgerBackend, kind: LedgerLocation.Kind, clock: @escaping @Sendable () -> Date) {
        self.path = backend.location
        self.kind = kind
        self.isReadOnly = backend.isReadOnly
        self.backend = backend
        self.clock = clock
    }

    /// Opens an existing ledger read-only, for reports: never creates or changes a file or a table. No file →
    /// `missing` (exit 3); not a ledger → `notALedger` (exit 2). PostgreSQL: a database without the ledger's tables
    /// is `missing`.
    public static func openForReading(path: String, options: LedgerOptions = LedgerOptions()) async throws -> Ledger {
        let location = try LedgerLocation(path, environment: options.environment, warn: options.warn)
        switch location {
        case .sqlite(let file):
            let database = try await LedgerOpener(path: file, options: options).openForReading()
            return Ledger(backend: SQLiteLedgerBackend(path: file, database: database, readOnly: true), kind: .sqlite,
                          clock: options.clock)
        case .postgres(let address):
            let backend = try await PostgresLedgerBackend.open(address, options: options, readOnly: true).backend
            return Ledger(backend: backend, kind: .postgres, clock: options.clock)
        }
    }

    /// Opens (creating when missing) and applies the migrations this version knows: `station migrate`. Returns what
    /// was applied now and the schema the ledger is at.
    public static func migrate(path: String, options: LedgerOptions = LedgerOptions()) async throws -> LedgerMigration {
        let location = try LedgerLocation(path, environment: options.environment, warn: options.warn)
        switch location {
        case .sqlite(let file):
            let opener = LedgerOpener(path: file, options: options)
            let (database, applied) = try await opener.openForWriting(reportingMigrations: ())
            try? database.close()
            return LedgerMigration(ledger: file, applied: applied, schema: LedgerSchema.identifiers)
        case .postgres(let address):
            let (backend, applied) = try await PostgresLedgerBackend.open(address, options: options, readOnly: false)
            await backend.close()
            return LedgerMigration(ledger: address.description, applied: applied, schema: LedgerSchema.identifiers)
        }
    }

    /// Closes the ledger's connections (PostgreSQL) or file; later calls fail.
    public func close() async { await backend.close() }

    // MARK: - Attempts

    /// Attempts of `station` still `in_progress` (left by a crash or SIGKILL) become `interrupted` with `finished_at`
    /// set; their devices' `in_progress` status becomes `interrupted`. Returns how many attempts.
    public func recoverInterrupted(station: String) async throws -> Int {
        let now = timestamp()
        return try await backend.write("recovering interrupted attempts") { tx in
            try LedgerOperations.recoverInterrupted(tx, station: station, now: now)
        }
    }

    /// The error an attempt found `in_progress` at a restart is given.
    public static let interruptedReason = "the station stopped before this attempt finished (found at restart)"

    /// A new attempt (`in_progress`, started now, no device until ``attach(attempt:deviceID:identity:)``). Called
    /// before the station touches the device: when it throws, the device must not be provisioned. Called again with
    /// the same `start` (its token) after a failure, it returns the attempt the first call made, if it was committed.
    public func beginAttempt(_ start: AttemptStart) async throws -> Int64 {
        let now = timestamp()
        let location = path
        return try await backend.writeAutocommit("starting an attempt") { tx in
            try LedgerOperations.beginAttempt(tx, start, now: now, location: location)
        }
    }

    /// The device is identified: returns its row as it was before this attempt (nil if never seen), then upserts it
    /// (first_seen kept, identity columns updated when non-nil, status `in_progress`, station/slot/operator/lot/
    /// profile of this attempt) and sets the attempt's device. One transaction. The row's key is `deviceID`; the
    /// other columns come from `identity` (platform by name, Device OS from `systemVersion`). A device in progress at
    /// another station is refused with ``LedgerError/Kind/deviceBusy`` (the error names that station and slot); the
    /// attempt is then finished as `skipped` with that reason, and the device row is left to the other station.
    /// `step` (the identification that found the device) is recorded in the same transaction, as
    /// ``recordStep(attempt:_:)`` would record it: one commit instead of two; not recorded when the device is busy.
    public func attach(attempt: Int64, deviceID: DeviceID, identity: DeviceIdentity,
                       step: StepRecord? = nil) async throws -> LedgerDevice? {
        let now = timestamp()
        let location = path
        do {
            return try await backend.write("recording a device") { tx in
                try LedgerOperations.attach(tx, attempt: attempt, deviceID: deviceID.rawValue, identity: identity,
                                            step: step, now: now, location: location)
            }
        } catch let busy as LedgerError where busy.kind == .deviceBusy {
            // The attempt ends skipped, naming the device and the station that has it; the device row stays theirs.
            try await backend.writeAutocommit("recording a device busy elsewhere") { tx in
                try LedgerOperations.skipBusy(tx, attempt: attempt, deviceID: deviceID.rawValue, reason: busy.message,
                                              now: now)
            }
            throw busy
        }
    }

    /// One step's result, committed before the call returns (so before the next step starts).
    public func recordStep(attempt: Int64, _ step: StepRecord) async throws {
        let now = timestamp()
        let location = path
        try await backend.writeAutocommit("recording step \(step.step)") { tx in
            try LedgerOperations.recordStep(tx, attempt: attempt, step, now: now, location: location)
        }
    }

    /// What provisioning found or did; nil fields leave the stored value.
    public func update(deviceID: String, _ outcome: DeviceOutcome) async throws {
        let location = path
        try await backend.writeAutocommit("recording the outcome of \(deviceID)") { tx in
            try LedgerOperations.update(tx, deviceID: deviceID, outcome, location: location)
        }
    }

    /// Ends the attempt (finished_at, status, failed step, error) and gives the device the same status, unless a
    /// later attempt has attached it since. A `skipped` attempt puts the device row back as it was before
    /// ``attach(attempt:deviceID:identity:step:)``; `provisioned` sets the device's `finished_at` and clears
    /// `last_error`. `outcome`, when given, is what ``update(deviceID:_:)`` would record on the attempt's device, in
    /// the same write (one commit instead of two).
    public func finish(attempt: Int64, status: AttemptStatus, failedStep: String?, error: String?,
                       outcome: DeviceOutcome? = nil) async throws {
        let now = timestamp()
        let location = path
        if status == .skipped {
            try await backend.write("finishing an attempt") { tx in
                try LedgerOperations.finishSkipped(tx, attempt: attempt, failedStep: failedStep, error: error,
                                                   outcome: outcome, now: now, location: location)
            }
        } else {
            try await backend.writeAutocommit("finishing an attempt") { tx in
                try LedgerOperations.finish(tx, attempt: attempt, status: status, failedStep: failedStep, error: error,
                                            outcome: outcome, now: now, location: location)
            }
        }
    }

    /// A hook's run (`on_done` / `on_failed`): its command, exit code (nil when it did not start or timed out),
    /// seconds and error.
    public func recordHook(attempt: Int64, hook: String, command: String, exitCode: Int32?, seconds: Double,
                           error: String?) async throws {
        let now = timestamp()
        let location = path
        try await backend.writeAutocommit("recording hook \(hook)") { tx in
            try LedgerOperations.recordHook(tx, attempt: attempt, hook: hook, command: command, exitCode: exitCode,
                                            seconds: seconds, error: error, now: now, location: location)
        }
    }

    // MARK: - Names

    /// The device's name under `template`: the one already allocated to it (a resumed device keeps its name), else
    /// the next sequence number for that template (max + 1, from 1) rendered by `render` and stored, in one
    /// transaction — no name is issued twice, even across crashes and stations. A rendered name already issued (under
    /// another template) is passed over for the next number; a template that renders the same taken name for two
    /// numbers is a usage error (it has no sequence). Errors thrown by `render` come out unchanged.
    public func allocateName(deviceID: String, template: String,
                             render: @escaping @Sendable (Int) throws -> String) async throws -> String {
        let now = timestamp()
        let location = path
        guard kind == .postgres else {
            return try await backend.write("allocating a name for \(deviceID)") { tx in
                try LedgerOperations.allocateName(tx, deviceID: deviceID, template: template, now: now,
                                                  location: location, render: render)
            }
        }
        // PostgreSQL: one call of the ledger's allocation function, from the highest number this ledger last saw.
        let guess = nameTops.withLock { $0[template] ?? 0 }
        let allocated = try await backend.writeAutocommit("allocating a name for \(deviceID)") { tx in
            try LedgerOperations.allocateNameInOneCall(tx, deviceID: deviceID, template: template, now: now,
                                                       location: location, guess: guess, render: render)
        }
        nameTops.withLock { $0[template] = max($0[template] ?? 0, allocated.top) }
        return allocated.name
    }

    // MARK: - Reading

    public func device(_ deviceID: String) async throws -> LedgerDevice? {
        try await backend.read("reading device \(deviceID)") { tx in try LedgerOperations.fetchDevice(tx, deviceID) }
    }

    /// The attempt with its device row and steps: what hooks get on stdin as JSON.
    public func record(attempt: Int64) async throws -> LedgerRecord {
        let location = path
        return try await backend.read("reading attempt \(attempt)") { tx in
            try LedgerOperations.record(tx, attempt: attempt, location: location)
        }
    }

    /// The report over the attempts `filter` selects (see ``LedgerReport``): the same SQL and the same arithmetic on
    /// both back-ends, so the same run gives the same report.
    public func report(_ filter: ReportFilter) async throws -> LedgerReport {
        let now = timestamp()
        let location = path
        return try await backend.read("reading the report") { tx in
            try LedgerReportQuery(filter: filter, ledger: location, generatedAt: now).run(tx)
        }
    }

    // MARK: - Plumbing

    /// PostgreSQL: the statements this ledger has sent since it was opened, BEGIN and COMMIT included, each one round
    /// trip (for tests that pin what an operation costs). Nil for SQLite.
    var roundTrips: Int? { backend.roundTrips }

    private func timestamp() -> String { LedgerTime.string(from: clock()) }
}

/// What `station migrate` did.
public struct LedgerMigration: Sendable, Equatable, Encodable {
    /// The path or URL (no password).
    public var ledger: String
    /// Migrations applied by this call, in order (empty: it was up to date).
    public var applied: [String]
    /// Every migration the ledger now has, in order.
    public var schema: [String]

    enum CodingKeys: String, CodingKey { case ledger, applied, schema }
}
