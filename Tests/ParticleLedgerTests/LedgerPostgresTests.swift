// The ledger on a real PostgreSQL server (started by the tests on loopback), and the behaviour both back-ends share:
// migrations, errors, the busy device, idempotent writes, identical reports.
import Foundation
import ParticleCore
import Testing
@testable import ParticleLedger
import PostgresTestServer

@Suite("Ledger: PostgreSQL back-end")
struct LedgerPostgresTests {
    @Test("an empty database gets every migration, recorded in ledger_migrations; a second run applies none")
    func migratesEmpty() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let first = try await Ledger.migrate(path: fresh.location, options: fresh.options())
        #expect(first.applied == ["v1-station-ledger", "v2-multi-station", "v3-name-allocation"])
        #expect(first.schema == ["v1-station-ledger", "v2-multi-station", "v3-name-allocation"])
        #expect(first.ledger == fresh.location)
        let again = try await Ledger.migrate(path: fresh.location, options: fresh.options())
        #expect(again.applied == [])
        let server = try #require(fresh.server)
        let database = try #require(fresh.database)
        #expect(try await server.sql("SELECT string_agg(identifier, ',' ORDER BY identifier) FROM ledger_migrations",
                                     database: database) == "v1-station-ledger,v2-multi-station,v3-name-allocation")
        #expect(try await server.sql("SELECT COUNT(*) FROM pg_proc WHERE proname = 'particlectl_allocate_name'",
                                     database: database) == "1")
        #expect(try await server.sql("""
            SELECT string_agg(table_name::text, ',' ORDER BY table_name) FROM information_schema.tables
            WHERE table_schema = 'public'
            """, database: database) == "attempts,devices,hooks,ledger_info,ledger_migrations,names,steps")
    }

    @Test("a v1 database (older schema) is migrated to v3 at opening and keeps its rows")
    func migratesOlder() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let server = try #require(fresh.server)
        let database = try #require(fresh.database)
        var script = ["CREATE TABLE ledger_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"]
        script += LedgerSchema.postgres(LedgerSchema.migrations[0].sql)
        script.append("INSERT INTO ledger_migrations VALUES ('v1-station-ledger', '2025-01-01T00:00:00.000Z')")
        script.append("INSERT INTO attempts (station, slot, profile, status, started_at) VALUES ('old', 's', 'fp', 'failed', '2025-01-01T00:00:00.000Z')")
        try await server.sql(script.joined(separator: ";\n"), database: database)
        let migrated = try await Ledger.migrate(path: fresh.location, options: fresh.options())
        #expect(migrated.applied == ["v2-multi-station", "v3-name-allocation"])
        let ledger = try await fresh.open()
        let attempt = try await ledger.beginAttempt(AttemptStart(station: "new", slot: "s", profile: "fp", token: "t-1"))
        #expect(attempt == 2)
        #expect(try await fresh.count("SELECT COUNT(*) FROM attempts WHERE token = 't-1'") == 1)
        #expect(try await ledger.report(ReportFilter()).totals.attempts == 2)
        await ledger.close()
    }

    @Test("a role that may only read and write cannot apply v3 to a v2 ledger: one line naming station migrate; reports still work")
    func migrationWithoutCreateRight() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let server = try #require(fresh.server)
        let database = try #require(fresh.database)
        _ = try await Ledger.migrate(path: fresh.location, options: fresh.options())
        let role = "writer_\(database)"
        try await server.sql("""
            DROP FUNCTION particlectl_allocate_name;
            DELETE FROM ledger_migrations WHERE identifier = 'v3-name-allocation';
            CREATE ROLE \(role) LOGIN PASSWORD '\(PostgresServer.password)';
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO \(role);
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role)
            """, database: database)
        let location = "postgres://\(role)@\(server.host):\(server.port)/\(database)"
        let error = await ledgerError { _ = try await Ledger(path: location, options: fresh.options()) }
        #expect(error?.exitStatus == .io)
        #expect(error?.message == "the PostgreSQL ledger \(location) refused opening: permission denied for schema "
                + "public; user \(role) cannot apply the ledger's migrations — run `particlectl station migrate "
                + "--ledger \(location)` once as the database's owner, or grant \(role) CREATE on the schema")
        // Reading needs no migration.
        let reader = try await Ledger.openForReading(path: location, options: fresh.options())
        #expect(try await reader.report(ReportFilter()).totals.attempts == 0)
        await reader.close()
        // Once the owner has migrated, the role opens the ledger and names devices.
        _ = try await Ledger.migrate(path: fresh.location, options: fresh.options())
        let writer = try await Ledger(path: location, options: fresh.options())
        let attempt = try await writer.beginAttempt(AttemptStart(station: "s", slot: "1", profile: "fp"))
        _ = try await writer.attach(attempt: attempt, deviceID: argonID, identity: argon)
        #expect(try await writer.allocateName(deviceID: argonID.rawValue, template: "r-{seq}") { "r-\($0)" } == "r-1")
        await writer.close()
    }

    @Test("a newer schema, or tables of another program, are refused (exit 2)")
    func refusesNewerOrForeign() async throws {
        let newer = try await FreshLedger.make(.postgres)
        _ = try await Ledger.migrate(path: newer.location, options: newer.options())
        try await newer.server?.sql("INSERT INTO ledger_migrations VALUES ('v9-from-the-future', 'x')",
                                    database: newer.database ?? "")
        let error = await ledgerError { _ = try await newer.open() }
        #expect(error?.kind == .newerSchema)
        #expect(error?.exitStatus == .usage)
        #expect(error?.message == "the ledger \(newer.location) was written by a newer particlectl; use that version "
                + "(or a new --ledger path)")
        let reading = await ledgerError { _ = try await Ledger.openForReading(path: newer.location, options: newer.options()) }
        #expect(reading?.kind == .newerSchema)

        let foreign = try await FreshLedger.make(.postgres)
        try await foreign.server?.sql("CREATE TABLE devices (id int)", database: foreign.database ?? "")
        let notLedger = await ledgerError { _ = try await foreign.open() }
        #expect(notLedger?.kind == .notALedger)
        #expect(notLedger?.exitStatus == .usage)
    }

    @Test("a report on an empty database is exit 3 and creates nothing")
    func readingMissing() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let error = await ledgerError { _ = try await Ledger.openForReading(path: fresh.location, options: fresh.options()) }
        #expect(error?.kind == .missing)
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message == "no ledger in \(fresh.location); run `particlectl station migrate --ledger "
                + "\(fresh.location)` or `station run` first")
        #expect(try await fresh.count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'") == 0)
    }

    @Test("refused login (5), missing database (3), no server (6): one line each, never the password")
    func connectionErrors() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase()
        var wrong = LedgerOptions()
        wrong.environment = ["PGPASSWORD": "wrong-password-xyz", "HOME": "/nonexistent"]
        let refused = await ledgerError { _ = try await Ledger(path: server.url(database), options: wrong) }
        #expect(refused?.kind == .authentication)
        #expect(refused?.exitStatus == .authentication)
        #expect(refused?.message == "PostgreSQL at 127.0.0.1:\(server.port) refused user ledger (password "
                + "authentication failed for user \"ledger\"); set PGPASSWORD or a ~/.pgpass line "
                + "host:port:database:user:password (mode 0600), and check pg_hba.conf")
        #expect(refused?.message.contains("wrong-password") == false)

        var right = LedgerOptions()
        right.environment = server.environment
        let missing = await ledgerError { _ = try await Ledger(path: server.url("no_such_db"), options: right) }
        #expect(missing?.kind == .missing)
        #expect(missing?.exitStatus == .notFound)
        #expect(missing?.message == "the database no_such_db does not exist at 127.0.0.1:\(server.port); create it "
                + "(createdb -O ledger no_such_db) or fix --ledger")

        let port = try PostgresServer.freePort()
        let nobody = await ledgerError {
            _ = try await Ledger(path: "postgres://ledger@127.0.0.1:\(port)/x", options: right)
        }
        #expect(nobody?.kind == .unreachable)
        #expect(nobody?.exitStatus == .io)
        #expect(nobody?.message == "cannot reach the PostgreSQL ledger postgres://ledger@127.0.0.1:\(port)/x "
                + "(connection refused); start the server or check --ledger, PGHOST and PGPORT")
        #expect(nobody?.isTransient == true)
    }

    @Test("SQLite and PostgreSQL give identical reports for the same run")
    func identicalReports() async throws {
        let sqlite = try await FreshLedger.make(.sqlite)
        let postgres = try await FreshLedger.make(.postgres)
        let one = try await knownLedger(at: sqlite.location)
        let two = try await knownLedger(at: postgres.location, environment: postgres.environment)
        for filter in [ReportFilter(), ReportFilter(station: "line-4"), ReportFilter(status: .provisioned),
                       ReportFilter(since: LedgerTime.date(from: "2025-03-01T09:00:00Z"), lot: "L43")] {
            var a = try await one.report(filter)
            var b = try await two.report(filter)
            #expect(a.ledger == sqlite.location)
            #expect(b.ledger == postgres.location)
            a.ledger = ""
            b.ledger = ""
            #expect(a == b)
            #expect(JSONOutput.line(a) == JSONOutput.line(b))
        }
        #expect(try await two.report(ReportFilter()).stations.map(\.station) == ["line-3", "line-4"])
        await two.close()
    }

    @Test("two stations allocating names at once on one database never share a name")
    func namesAcrossStations() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let a = try await fresh.open()
        let b = try await fresh.open()
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<24 {
                let ledger = index % 2 == 0 ? a : b
                let station = index % 2 == 0 ? "line-1" : "line-2"
                group.addTask {
                    let id = String(format: "%024x", index + 1)
                    let attempt = try await ledger.beginAttempt(AttemptStart(station: station, slot: "s\(index)", profile: "fp"))
                    _ = try await ledger.attach(attempt: attempt, deviceID: try #require(DeviceID(id)),
                                                identity: DeviceIdentity())
                    return try await ledger.allocateName(deviceID: id, template: "w-{seq}") { "w-\($0)" }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(names) == Set((1...24).map { "w-\($0)" }))
        await a.close()
        await b.close()
    }

    @Test("the server stopped mid-run: a write fails as transient, and after the restart it goes through once")
    func serverRestart() async throws {
        let server = try await PostgresServer.start()
        let database = try await server.createDatabase()
        var options = LedgerOptions()
        options.environment = server.environment
        // Room for a loaded test run: a refused connection is seen at once, and the restarted server's SCRAM
        // handshake took over 2 s in a loaded `make test`.
        options.connectTimeout = 15
        let ledger = try await Ledger(path: server.url(database), options: options)
        let attempt = try await ledger.beginAttempt(AttemptStart(station: "s", slot: "1", profile: "fp"))
        let step = StepRecord(step: "identify", outcome: "done", seconds: 0.5)
        try await ledger.recordStep(attempt: attempt, step)

        try await server.stopServer()
        let down = await ledgerError {
            try await ledger.recordStep(attempt: attempt, StepRecord(step: "configure", outcome: "done", seconds: 1))
        }
        #expect(down?.isTransient == true)
        #expect(down?.kind == .unreachable)
        try await server.startServer()

        try await ledger.recordStep(attempt: attempt, StepRecord(step: "configure", outcome: "done", seconds: 1))
        // The same record again (a retry after a commit whose answer was lost) is not doubled.
        try await ledger.recordStep(attempt: attempt, StepRecord(step: "configure", outcome: "done", seconds: 1))
        let record = try await ledger.record(attempt: attempt)
        #expect(record.steps.map(\.step) == ["identify", "configure"])
        await ledger.close()
        await server.stop()
    }
}

@Suite("Ledger: behaviour on both back-ends")
struct LedgerBothBackendsTests {
    @Test("a device in progress at another station is refused, naming it; the attempt ends skipped",
          arguments: Backend.allCases)
    func busyDevice(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let one = try await fresh.open()
        let two = try await fresh.open()
        let a = try await one.beginAttempt(AttemptStart(station: "line-1", slot: "1-1.1", profile: "fp"))
        _ = try await one.attach(attempt: a, deviceID: argonID, identity: argon)
        let b = try await two.beginAttempt(AttemptStart(station: "line-2", slot: "2-1.4", profile: "fp"))
        let error = await ledgerError { _ = try await two.attach(attempt: b, deviceID: argonID, identity: argon) }
        #expect(error?.kind == .deviceBusy)
        #expect(error?.holderStation == "line-1")
        #expect(error?.holderSlot == "1-1.1")
        #expect(error?.message == "device \(argonID) is being provisioned by station line-1 (slot 1-1.1); it is left "
                + "to that station")
        let skipped = try await two.record(attempt: b).attempt
        #expect(skipped.status == .skipped)
        #expect(skipped.deviceID == argonID.rawValue)
        #expect(skipped.error == error?.message)
        #expect(try await one.device(argonID.rawValue)?.station == "line-1")
        #expect(try await one.device(argonID.rawValue)?.lastAttempt == a)

        // Once line-1 is done with it, line-2 may take it (e.g. to reprovision).
        try await one.finish(attempt: a, status: .provisioned, failedStep: nil, error: nil)
        let c = try await two.beginAttempt(AttemptStart(station: "line-2", slot: "2-1.4", profile: "fp"))
        #expect(try await two.attach(attempt: c, deviceID: argonID, identity: argon)?.status == .provisioned)
        let report = try await one.report(ReportFilter())
        #expect(report.stations.map(\.station) == ["line-1", "line-2"])
        #expect(report.stations.map(\.skipped) == [0, 1])
        #expect(report.totals.attemptsUnidentified == 0)
        await one.close()
        await two.close()
    }

    @Test("stations starting together on a new ledger all open it; it is migrated once", arguments: Backend.allCases)
    func openTogether(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let ledgers = try await withThrowingTaskGroup(of: Ledger.self) { group in
            for _ in 0..<6 { group.addTask { try await fresh.open() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ledgers.count == 6)
        let table = backend == .sqlite ? "grdb_migrations" : "ledger_migrations"
        #expect(try await fresh.count("SELECT COUNT(*) FROM \(table)") == LedgerSchema.migrations.count)
        for (index, ledger) in ledgers.enumerated() {
            _ = try await ledger.beginAttempt(AttemptStart(station: "s\(index)", slot: "1", profile: "fp"))
        }
        #expect(try await fresh.count("SELECT COUNT(*) FROM attempts") == 6)
        for ledger in ledgers { await ledger.close() }
    }

    @Test("writes run again after a lost commit record nothing twice", arguments: Backend.allCases)
    func idempotentWrites(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let ledger = try await fresh.open()
        let start = AttemptStart(station: "line-1", slot: "1", profile: "fp", token: "token-1")
        let first = try await ledger.beginAttempt(start)
        #expect(try await ledger.beginAttempt(start) == first)
        let before = try await ledger.attach(attempt: first, deviceID: argonID, identity: argon)
        #expect(try await ledger.attach(attempt: first, deviceID: argonID, identity: argon) == before)
        let step = StepRecord(step: "identify", outcome: "done", seconds: 1.25, detail: "argon")
        try await ledger.recordStep(attempt: first, step)
        try await ledger.recordStep(attempt: first, step)
        try await ledger.recordHook(attempt: first, hook: "on_done", command: "true", exitCode: 0, seconds: 0.1, error: nil)
        try await ledger.recordHook(attempt: first, hook: "on_done", command: "true", exitCode: 0, seconds: 0.1, error: nil)
        try await ledger.finish(attempt: first, status: .provisioned, failedStep: nil, error: nil)
        try await ledger.finish(attempt: first, status: .provisioned, failedStep: nil, error: nil)
        #expect(try await fresh.count("SELECT COUNT(*) FROM attempts") == 1)
        #expect(try await fresh.count("SELECT COUNT(*) FROM steps") == 1)
        #expect(try await fresh.count("SELECT COUNT(*) FROM hooks") == 1)
        #expect(try await ledger.device(argonID.rawValue)?.status == .provisioned)
        await ledger.close()
    }

    @Test("names, recovery and the record behave the same", arguments: Backend.allCases)
    func namesAndRecovery(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let clock = ManualClock("2025-03-01T08:00:00Z")
        let crashed = try await fresh.open(clock)
        let attempt = try await crashed.beginAttempt(start)
        _ = try await crashed.attach(attempt: attempt, deviceID: argonID, identity: argon)
        try await crashed.recordStep(attempt: attempt, StepRecord(step: "configure", outcome: "done", seconds: 2))
        let name = try await crashed.allocateName(deviceID: argonID.rawValue, template: "widget-{seq:05}") {
            String(format: "widget-%05d", $0)
        }
        #expect(name == "widget-00001")
        await crashed.close()

        let restarted = try await fresh.open(clock)
        #expect(try await restarted.recoverInterrupted(station: "line-3") == 1)
        #expect(try await restarted.device(argonID.rawValue)?.status == .interrupted)
        #expect(try await restarted.record(attempt: attempt).attempt.error == Ledger.interruptedReason)
        #expect(try await restarted.allocateName(deviceID: argonID.rawValue, template: "widget-{seq:05}") {
            String(format: "widget-%05d", $0)
        } == "widget-00001")
        await restarted.close()
    }
}
