// Tests of the ledger: real SQLite files in a temporary folder.
import Foundation
import Glibc
import GRDB
import ParticleCore
import Testing
import ParticleLedger

/// A temporary folder removed at the end of a test.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/ledger-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw UserError(.io, "mkdtemp failed") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        chmod(path, 0o755)
        _ = try? FileManager.default.removeItem(atPath: path)
    }
}

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: String) { current = LedgerTime.date(from: start) ?? Date(timeIntervalSince1970: 0) }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    func set(_ text: String) { lock.withLock { current = LedgerTime.date(from: text) ?? current } }
    var options: LedgerOptions { LedgerOptions(clock: { [self] in now }) }
}

let start = AttemptStart(station: "line-3", slot: "1-1.3", operatorName: "ana", lot: "L42", profile: "fp-a")
let argonID = DeviceID("e00fce68a1b2c3d4e5f60718")!  // a literal known to be one
let argon = DeviceIdentity(id: argonID, platform: Platform.named("argon"), serialNumber: "SIMARGON00001",
                           mac: "6c:0b:84:5a:00:00", systemVersion: "5.9.0")

func tables(_ path: String) throws -> [String] {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    }
}

func ledgerError(_ body: () async throws -> Void) async -> LedgerError? {
    do { try await body() } catch let error as LedgerError { return error } catch { return nil }
    return nil
}

@Suite("Ledger: schema and opening")
struct LedgerOpeningTests {
    @Test("a new ledger has every table, WAL, synchronous FULL and foreign keys on")
    func schema() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        _ = try await Ledger(path: path)
        #expect(try tables(path) == ["attempts", "devices", "grdb_migrations", "hooks", "ledger_info", "names", "steps"])
        let queue = try DatabaseQueue(path: path)
        let (mode, migrations) = try await queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(mode == "wal")
        #expect(migrations == ["v1-station-ledger", "v2-multi-station", "v3-name-allocation"])
        let indexes = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(indexes == ["attempts_device", "attempts_lot", "attempts_started_at", "attempts_station_started",
                            "attempts_station_status", "attempts_token", "devices_station", "devices_status",
                            "hooks_attempt", "names_device"])
    }

    @Test("reopening keeps the data and does not migrate again")
    func reopen() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        do {
            let ledger = try await Ledger(path: path)
            let attempt = try await ledger.beginAttempt(start)
            _ = try await ledger.attach(attempt: attempt, deviceID: argonID, identity: argon)
            try await ledger.recordStep(attempt: attempt, StepRecord(step: "identify", outcome: "done", seconds: 0.05))
        }
        let again = try await Ledger(path: path)
        let device = try await again.device(argonID.rawValue)
        #expect(device?.serialNumber == "SIMARGON00001")
        let record = try await again.record(attempt: 1)
        #expect(record.steps == [StepRecord(step: "identify", outcome: "done", seconds: 0.05)])
    }

    @Test("a missing directory is refused and nothing is created")
    func missingDirectory() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("nowhere/station.sqlite")
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .cannotOpen)
        #expect(error?.message == "cannot open the ledger \(path): its directory \(folder.path)/nowhere does not exist; "
                + "create it, or pass --ledger with another path")
        #expect(error?.exitStatus == .io)
    }

    @Test("a read-only file is refused and left as it was")
    func readOnlyFile() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        _ = try await Ledger(path: path)
        chmod(path, 0o444)
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .readOnly)
        #expect(error?.message == "the ledger \(path) cannot be written: the file is read-only; make it writable or "
                + "pass --ledger with another path")
        // A report still reads it.
        let report = try await Ledger.openForReading(path: path).report(ReportFilter())
        #expect(report.totals.attempts == 0)
    }

    @Test("a read-only directory is refused and no file is created in it")
    func readOnlyDirectory() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        chmod(folder.path, 0o555)
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .readOnly)
        #expect(error?.message == "the ledger \(path) cannot be written: its directory \(folder.path) is not writable "
                + "(SQLite keeps \(path)-wal and \(path)-shm beside it); make it writable or pass --ledger with another path")
        #expect(access(path, F_OK) != 0)
    }

    @Test("a file that is not SQLite is refused (exit 2) and kept")
    func notSQLite() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("notes.txt")
        try "these are not the devices you are looking for\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .notALedger)
        #expect(error?.message == "\(path) is not a station ledger (not an SQLite database); pass --ledger with a "
                + "ledger file or a new path")
        #expect(error?.exitStatus == .usage)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "these are not the devices you are looking for\n")
        let reading = await ledgerError { _ = try await Ledger.openForReading(path: path) }
        #expect(reading?.kind == .notALedger)
    }

    @Test("an SQLite file of something else is refused")
    func otherSQLite() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("other.sqlite")
        try await DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE recipes (id INTEGER)") }
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .notALedger)
        #expect(error?.message.hasPrefix("\(path) is not a station ledger (SQLite, but without the ledger's tables)") == true)
        #expect(try tables(path) == ["recipes"])
    }

    @Test("a ledger with a newer schema is refused")
    func newerSchema() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        _ = try await Ledger(path: path)
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
        }
        let error = await ledgerError { _ = try await Ledger(path: path) }
        #expect(error?.kind == .newerSchema)
        #expect(error?.message == "the ledger \(path) was written by a newer particlectl; use that version (or a new "
                + "--ledger path)")
        let reading = await ledgerError { _ = try await Ledger.openForReading(path: path) }
        #expect(reading?.kind == .newerSchema)
    }

    @Test("reading never creates a ledger: a missing file is exit 3")
    func readingMissing() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        let error = await ledgerError { _ = try await Ledger.openForReading(path: path) }
        #expect(error?.kind == .missing)
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message == "no ledger at \(path); run `particlectl station run` first or pass --ledger")
        #expect(access(path, F_OK) != 0)
    }

    @Test("a ledger opened for reading refuses writes")
    func readOnlyLedger() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        _ = try await Ledger(path: path)
        let reader = try await Ledger.openForReading(path: path)
        let error = await ledgerError { _ = try await reader.beginAttempt(start) }
        #expect(error?.kind == .readOnly)
    }

    @Test("a full disk at creation is refused and the half-made file removed")
    func fullAtCreation() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        let error = await ledgerError { _ = try await Ledger(path: path, options: LedgerOptions(pageLimit: 2)) }
        #expect(error?.kind == .full)
        #expect(error?.message == "the ledger \(path) cannot grow: the disk is full; free space or pass --ledger on "
                + "another disk")
        #expect(access(path, F_OK) != 0)
        #expect(access(path + "-wal", F_OK) != 0)
    }

    @Test("SQLITE_FULL while recording is a full-disk error, and what was committed stays")
    func fullWhileRecording() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        let pages: Int
        do {
            let ledger = try await Ledger(path: path)
            _ = try await ledger.beginAttempt(start)
            pages = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        }
        let ledger = try await Ledger(path: path, options: LedgerOptions(pageLimit: pages + 1))
        var recorded = 0
        var failure: LedgerError?
        let detail = String(repeating: "x", count: 1500)
        while failure == nil && recorded < 100 {
            failure = await ledgerError {
                try await ledger.recordStep(attempt: 1, StepRecord(step: "s\(recorded)", outcome: "done", seconds: 1,
                                                                   detail: detail))
            }
            if failure == nil { recorded += 1 }
        }
        #expect(failure?.kind == .full)
        #expect(failure?.exitStatus == .io)
        #expect(recorded > 0)
        let record = try await ledger.record(attempt: 1)
        #expect(record.steps.count == recorded)
    }
}

@Suite("Ledger: attempts, recovery, names")
struct LedgerRecordingTests {
    @Test("attach returns the row as it was before the attempt")
    func attachReturnsPrevious() async throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock("2025-03-01T08:00:00Z")
        let ledger = try await Ledger(path: folder.file("l.sqlite"), options: clock.options)
        let first = try await ledger.beginAttempt(start)
        #expect(try await ledger.attach(attempt: first, deviceID: argonID, identity: argon) == nil)
        try await ledger.update(deviceID: argonID.rawValue, DeviceOutcome(name: "widget-00001", owner: "dev@example.com"))
        clock.advance(30)
        try await ledger.finish(attempt: first, status: .provisioned, failedStep: nil, error: nil)

        clock.advance(60)
        let second = try await ledger.beginAttempt(
            AttemptStart(station: "line-4", slot: "2-1", operatorName: nil, lot: "L43", profile: "fp-b"))
        let previous = try await ledger.attach(attempt: second,
                                               deviceID: argonID, identity: DeviceIdentity(systemVersion: "6.1.0"))
        #expect(previous == LedgerDevice(
            deviceID: argonID.rawValue, serialNumber: "SIMARGON00001", platform: "argon", mac: "6c:0b:84:5a:00:00",
            deviceOS: "5.9.0", name: "widget-00001", owner: "dev@example.com", status: .provisioned, profile: "fp-a",
            firstSeen: "2025-03-01T08:00:00.000Z", finishedAt: "2025-03-01T08:00:30.000Z", station: "line-3",
            slot: "1-1.3", operatorName: "ana", lot: "L42", lastAttempt: first))
        let now = try await ledger.device(argonID.rawValue)
        #expect(now?.status == .inProgress)
        #expect(now?.deviceOS == "6.1.0")
        #expect(now?.serialNumber == "SIMARGON00001")  // nil identity fields keep what was known
        #expect(now?.firstSeen == "2025-03-01T08:00:00.000Z")
        #expect(now?.station == "line-4")
        #expect(now?.operatorName == nil)
        #expect(now?.lastAttempt == second)

        // Skipped: the device row goes back to what it was.
        try await ledger.finish(attempt: second, status: .skipped, failedStep: nil, error: nil)
        let restored = try await ledger.device(argonID.rawValue)
        #expect(restored?.status == .provisioned)
        #expect(restored?.station == "line-3")
        #expect(restored?.profile == "fp-a")
        #expect(restored?.lastAttempt == first)
        #expect(restored?.deviceOS == "6.1.0")
    }

    @Test("a finished failure records the step and error on the attempt and the device")
    func failure() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await Ledger(path: folder.file("l.sqlite"))
        let attempt = try await ledger.beginAttempt(start)
        _ = try await ledger.attach(attempt: attempt, deviceID: argonID, identity: argon)
        try await ledger.recordStep(attempt: attempt, StepRecord(step: "identify", outcome: "done", seconds: 0.05,
                                                                 detail: "argon"))
        try await ledger.recordStep(attempt: attempt, StepRecord(step: "wait-online", outcome: "failed", seconds: 90,
                                                                 error: "not online within 90 s"))
        try await ledger.finish(attempt: attempt, status: .failed, failedStep: "wait-online",
                                error: "not online within 90 s")
        try await ledger.recordHook(attempt: attempt, hook: "on_failed", command: "./light red", exitCode: 0,
                                    seconds: 0.2, error: nil)
        let record = try await ledger.record(attempt: attempt)
        #expect(record.attempt.status == .failed)
        #expect(record.attempt.failedStep == "wait-online")
        #expect(record.device?.status == .failed)
        #expect(record.device?.lastError == "not online within 90 s")
        #expect(record.steps.map(\.step) == ["identify", "wait-online"])
        let json = JSONOutput.line(record)
        #expect(json.contains(#""steps":[{"detail":"argon","error":null,"outcome":"done","seconds":0.05,"step":"identify"}"#))
        #expect(json.contains(#""lot":"L42""#))
        #expect(json.contains(#""finished_at":null"#))  // the device never finished provisioning: key kept, null
    }

    @Test("an attempt finished after another slot took the device leaves the device to the newer attempt")
    func twoSlots() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await Ledger(path: folder.file("l.sqlite"))
        let slotA = try await ledger.beginAttempt(start)
        _ = try await ledger.attach(attempt: slotA, deviceID: argonID, identity: argon)
        let slotB = try await ledger.beginAttempt(AttemptStart(station: "line-3", slot: "1-1.4", profile: "fp-a"))
        _ = try await ledger.attach(attempt: slotB, deviceID: argonID, identity: argon)
        try await ledger.finish(attempt: slotA, status: .interrupted, failedStep: "configure", error: "unplugged")
        #expect(try await ledger.device(argonID.rawValue)?.status == .inProgress)
        try await ledger.finish(attempt: slotB, status: .provisioned, failedStep: nil, error: nil)
        #expect(try await ledger.device(argonID.rawValue)?.status == .provisioned)
        #expect(try await ledger.device(argonID.rawValue)?.slot == "1-1.4")
    }

    @Test("a crash leaves attempts in progress; a second Ledger on the file recovers them as interrupted")
    func recovery() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        let clock = ManualClock("2025-03-01T09:00:00Z")
        do {
            // The crashed station: steps committed, the attempt never finished.
            let crashed = try await Ledger(path: path, options: clock.options)
            let attempt = try await crashed.beginAttempt(start)
            _ = try await crashed.attach(attempt: attempt, deviceID: argonID, identity: argon)
            try await crashed.recordStep(attempt: attempt, StepRecord(step: "identify", outcome: "done", seconds: 0.1))
            _ = try await crashed.beginAttempt(AttemptStart(station: "line-3", slot: "1-1.5", profile: "fp-a"))
            _ = try await crashed.beginAttempt(AttemptStart(station: "line-9", slot: "1-1", profile: "fp-a"))
        }
        clock.advance(120)
        let restarted = try await Ledger(path: path, options: clock.options)
        #expect(try await restarted.recoverInterrupted(station: "line-3") == 2)
        let record = try await restarted.record(attempt: 1)
        #expect(record.attempt.status == .interrupted)
        #expect(record.attempt.finishedAt == "2025-03-01T09:02:00.000Z")
        #expect(record.attempt.error == Ledger.interruptedReason)
        #expect(record.steps.map(\.step) == ["identify"])
        #expect(record.device?.status == .interrupted)
        #expect(try await restarted.record(attempt: 3).attempt.status == .inProgress)  // another station's
        #expect(try await restarted.recoverInterrupted(station: "line-3") == 0)
    }

    @Test("a crash after recognising a provisioned device, before recording the skip, leaves it provisioned")
    func crashBeforeSkip() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        do {
            let crashed = try await Ledger(path: path)
            let first = try await crashed.beginAttempt(start)
            _ = try await crashed.attach(attempt: first, deviceID: argonID, identity: argon)
            try await crashed.recordStep(attempt: first, StepRecord(step: "identify", outcome: "done", seconds: 0.1))
            try await crashed.recordStep(attempt: first, StepRecord(step: "configure", outcome: "done", seconds: 1))
            try await crashed.finish(attempt: first, status: .provisioned, failedStep: nil, error: nil)
            // Seen again in another slot: identified, then the station dies before it records the skip.
            let second = try await crashed.beginAttempt(AttemptStart(station: "line-3", slot: "1-1.4", profile: "fp-a"))
            _ = try await crashed.attach(attempt: second, deviceID: argonID, identity: argon)
            try await crashed.recordStep(attempt: second, StepRecord(step: "identify", outcome: "done", seconds: 0.1))
            // And a device that did get a step done in the crashed run is interrupted, not restored.
            let third = try await crashed.beginAttempt(AttemptStart(station: "line-3", slot: "1-1.5", profile: "fp-a"))
            let boronID = DeviceID("e00fce68aaaaaaaaaaaaaaaa")!
            let boron = DeviceIdentity(id: boronID, platform: Platform.named("boron"))
            _ = try await crashed.attach(attempt: third, deviceID: boronID, identity: boron)
            try await crashed.finish(attempt: third, status: .failed, failedStep: "configure", error: "no")
            let fourth = try await crashed.beginAttempt(AttemptStart(station: "line-3", slot: "1-1.5", profile: "fp-a"))
            _ = try await crashed.attach(attempt: fourth, deviceID: boronID, identity: boron)
            try await crashed.recordStep(attempt: fourth, StepRecord(step: "identify", outcome: "done", seconds: 0.1))
            try await crashed.recordStep(attempt: fourth, StepRecord(step: "configure", outcome: "done", seconds: 1))
        }
        let restarted = try await Ledger(path: path)
        #expect(try await restarted.recoverInterrupted(station: "line-3") == 2)
        let device = try await restarted.device(argonID.rawValue)
        #expect(device?.status == .provisioned)
        #expect(device?.slot == "1-1.3")
        #expect(device?.lastAttempt == 1)
        #expect(try await restarted.record(attempt: 2).attempt.status == .interrupted)
        #expect(try await restarted.device("e00fce68aaaaaaaaaaaaaaaa")?.status == .interrupted)
    }

    @Test("a writer killed with SIGKILL loses nothing it committed")
    func sigkill() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("station.sqlite")
        _ = try await Ledger(path: path)
        // A child process (sqlite3's C library through GRDB in a fork would be unsafe in Swift; use the shell's
        // sqlite3 when present, else python3) commits a step, then is killed mid-transaction.
        let script = """
            import sqlite3, os, signal
            db = sqlite3.connect('\(path)', isolation_level=None)
            db.execute('PRAGMA journal_mode=WAL'); db.execute('PRAGMA synchronous=FULL')
            db.execute("INSERT INTO attempts (station, slot, profile, status, started_at) VALUES ('line-3','1-1','fp','in_progress','2025-03-01T10:00:00.000Z')")
            db.execute("INSERT INTO steps VALUES (1, 1, 'identify', 'done', 0.1, NULL, NULL, '2025-03-01T10:00:01.000Z')")
            db.execute('BEGIN')
            db.execute("INSERT INTO steps VALUES (1, 2, 'claim-code', 'done', 0.1, NULL, NULL, '2025-03-01T10:00:02.000Z')")
            os.kill(os.getpid(), signal.SIGKILL)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)
        let restarted = try await Ledger(path: path)
        #expect(try await restarted.recoverInterrupted(station: "line-3") == 1)
        let record = try await restarted.record(attempt: 1)
        #expect(record.steps.map(\.step) == ["identify"])
        #expect(record.attempt.status == .interrupted)
    }
}
