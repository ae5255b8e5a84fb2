// Pure tests of `--ledger postgres://…`, the PG* variables and ~/.pgpass: no server.
import Foundation
import Glibc
import ParticleCore
import Testing
@testable import ParticleLedger

@Suite("Ledger: PostgreSQL address, environment and .pgpass")
struct PostgresAddressTests {
    let empty = ["HOME": "/nonexistent-home"]

    @Test("a full URL gives every part; the description is the URL without a password")
    func fullURL() throws {
        let address = try PostgresAddress(url: "postgres://line3@db.factory:6543/ledger", environment: empty)
        #expect(address == PostgresAddress(host: "db.factory", port: 6543, user: "line3", database: "ledger"))
        #expect(address.description == "postgres://line3@db.factory:6543/ledger")
        let long = try PostgresAddress(url: "postgresql://line3@[::1]/ledger?sslmode=disable&connect_timeout=3",
                                       environment: empty)
        #expect(long.host == "::1")
        #expect(long.port == 5432)
        #expect(long.connectTimeout == 3)
        #expect(long.description == "postgres://line3@[::1]:5432/ledger")
    }

    @Test("missing parts come from PGHOST, PGPORT, PGUSER, PGDATABASE, then the defaults")
    func environmentFallbacks() throws {
        let environment = ["PGHOST": "10.0.0.5", "PGPORT": "5433", "PGUSER": "station", "PGDATABASE": "line",
                           "HOME": "/nonexistent-home"]
        #expect(try PostgresAddress(url: "postgres://", environment: environment)
                == PostgresAddress(host: "10.0.0.5", port: 5433, user: "station", database: "line"))
        #expect(try PostgresAddress(url: "postgres://me@h/db", environment: environment)
                == PostgresAddress(host: "h", port: 5433, user: "me", database: "db"))
        let defaults = try PostgresAddress(url: "postgres:///", environment: ["USER": "ana", "HOME": "/nonexistent"])
        #expect(defaults == PostgresAddress(host: "localhost", port: 5432, user: "ana", database: "ana"))
        let socket = try PostgresAddress(url: "postgres://u@%2Fvar%2Frun%2Fpostgresql/db", environment: empty)
        #expect(socket.host == "/var/run/postgresql")
        #expect(socket.isUnixSocket)
    }

    @Test("PGPASSWORD is used and never shown")
    func passwordFromEnvironment() throws {
        let address = try PostgresAddress(url: "postgres://u@h/db",
                                          environment: ["PGPASSWORD": "hunter2-secret", "HOME": "/nonexistent"])
        #expect(address.password == "hunter2-secret")
        #expect(!address.description.contains("hunter2"))
        #expect(!String(describing: try LedgerLocation("postgres://u@h/db",
                                                       environment: ["PGPASSWORD": "hunter2-secret"])).contains("hunter2"))
    }

    @Test("a password in the URL is refused with exit 2 and not repeated")
    func passwordInURLRefused() {
        for url in ["postgres://u:hunter2-secret@h/db", "postgresql://u:@h:5432/db", "postgres://u@h/db?password=hunter2-secret"] {
            do {
                _ = try PostgresAddress(url: url, environment: empty)
                Issue.record("\(url) was accepted")
            } catch let error as UserError {
                #expect(error.exitStatus == .usage)
                #expect(error.message == "--ledger must not hold a password (a command line shows in ps and shell "
                        + "history); set PGPASSWORD or put it in ~/.pgpass (mode 0600)")
                #expect(!error.message.contains("hunter2"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(throws: UserError.self) { try LedgerLocation.check("postgres://u:pw@h/db") }
        #expect(throws: Never.self) { try LedgerLocation.check("station.sqlite") }
    }

    @Test("a bad port, TLS or an unknown parameter is a usage error naming it")
    func badParts() {
        func message(_ url: String) -> String? {
            do { _ = try PostgresAddress(url: url, environment: empty) } catch let error as UserError {
                return error.exitStatus == .usage ? error.message : nil
            } catch { return nil }
            return nil
        }
        #expect(message("postgres://u@h:99999/db")
                == "--ledger has the port 99999; give a number from 1 to 65535 (postgres://USER@HOST:PORT/DATABASE)")
        #expect(message("postgres://u@h/db?sslmode=require")?.hasPrefix("--ledger asks for sslmode=require; the ledger does not use TLS") == true)
        #expect(message("postgres://u@h/db?target_session_attrs=any")?.hasPrefix("--ledger has the parameter target_session_attrs") == true)
    }

    @Test(".pgpass: first matching line, * wildcards, escapes, comments; a socket matches localhost")
    func pgpassMatching() {
        let text = """
            # comment
            db.factory:5432:ledger:line3:first\\:pass
            *:*:ledger:line3:second
            *:*:*:*:any\\\\thing
            localhost:5432:other:ana:local
            """
        #expect(PGPassFile.password(in: text, host: "db.factory", port: 5432, database: "ledger", user: "line3") == "first:pass")
        #expect(PGPassFile.password(in: text, host: "db.factory", port: 5433, database: "ledger", user: "line3") == "second")
        #expect(PGPassFile.password(in: text, host: "x", port: 1, database: "y", user: "z") == "any\\thing")
        #expect(PGPassFile.password(in: text, host: "/run/postgresql", port: 5432, database: "other", user: "ana") == "any\\thing")
        let socketFirst = "localhost:5432:other:ana:local\n*:*:*:*:fallback"
        #expect(PGPassFile.password(in: socketFirst, host: "/run/postgresql", port: 5432, database: "other", user: "ana") == "local")
        #expect(PGPassFile.password(in: "h:5432:db:u", host: "h", port: 5432, database: "db", user: "u") == nil)
    }

    @Test(".pgpass is read only when mode 0600; otherwise ignored with libpq's warning")
    func pgpassPermissions() throws {
        let folder = try TemporaryFolder()
        let file = folder.file(".pgpass")
        _ = FileManager.default.createFile(atPath: file, contents: Data("h:5432:db:u:from-file\n".utf8))
        chmod(file, 0o644)
        let warnings = WarningLog()
        let loose = try PostgresAddress(url: "postgres://u@h/db", environment: ["HOME": folder.path],
                                        warn: { warnings.add($0) })
        #expect(loose.password == nil)
        #expect(warnings.lines == ["password file \"\(file)\" has group or world access; permissions should be u=rw "
                                   + "(0600) or less; ignored"])
        chmod(file, 0o600)
        let strict = try PostgresAddress(url: "postgres://u@h/db", environment: ["HOME": folder.path])
        #expect(strict.password == "from-file")
        let viaVariable = try PostgresAddress(url: "postgres://u@h/db", environment: ["PGPASSFILE": file])
        #expect(viaVariable.password == "from-file")
        // PGPASSWORD wins over the file.
        let both = try PostgresAddress(url: "postgres://u@h/db", environment: ["PGPASSFILE": file, "PGPASSWORD": "env"])
        #expect(both.password == "env")
    }

    @Test("an SQLite path is not a URL")
    func sqlitePath() throws {
        #expect(try LedgerLocation("station.sqlite") == .sqlite("station.sqlite"))
        #expect(try LedgerLocation("/var/lib/x/postgres.sqlite").kind == .sqlite)
    }

    @Test("PostgreSQL migrations map the SQLite schema's types")
    func schemaMapping() {
        let statements = LedgerSchema.postgres(LedgerSchema.migrations[0].sql)
        #expect(statements.contains { $0.contains("id BIGSERIAL PRIMARY KEY") })
        #expect(statements.contains { $0.contains("seconds DOUBLE PRECISION NOT NULL") })
        #expect(statements.contains { $0.contains("device_id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL") })
        #expect(!statements.contains { $0.contains("AUTOINCREMENT") || $0.contains(" REAL") })
        #expect(PostgresTransaction.numbered("SELECT ? , '?', ?") == "SELECT $1 , '?', $2")
    }
}

final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
