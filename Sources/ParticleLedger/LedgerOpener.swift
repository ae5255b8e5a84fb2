import Foundation
import GRDB
import ParticleCore

/// Opens the ledger's SQLite file for the station (creating and migrating it) or for a report (read-only).
struct LedgerOpener {
    var path: String
    var options: LedgerOptions

    func openForWriting() async throws -> DatabaseQueue {
        try await openForWriting(reportingMigrations: ()).0
    }

    /// Opens for writing; also returns the migrations applied now.
    func openForWriting(reportingMigrations: Void) async throws -> (DatabaseQueue, [String]) {
        _ = try LedgerFile.checkWritable(path)
        // Stations starting together on a new file take turns to create and migrate it (a lock on its directory,
        // held until this open is done): otherwise one could see the other's half-made ledger, fail, and remove the
        // file the other had just made.
        let opening = await LedgerFile.lockDirectory(of: path)
        defer { opening.unlock() }
        let state = try LedgerFile.checkWritable(path)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration(readOnly: false))
        } catch {
            if state == .absent { LedgerFile.removeCreated(path) }
            throw LedgerError.from(error, path: path, doing: "opening")
        }
        do {
            try await recognise(queue)
            let before = try await queue.read { db in try LedgerSchema.migrator.appliedIdentifiers(db) }
            try await migrate(queue)
            try await probe(queue)
            return (queue, LedgerSchema.identifiers.filter { !before.contains($0) })
        } catch {
            try? queue.close()
            if state == .absent { LedgerFile.removeCreated(path) }
            throw LedgerError.from(error, path: path, doing: "opening")
        }
    }

    func openForReading() async throws -> DatabaseQueue {
        try LedgerFile.checkReadable(path)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readOnly: true))
            do {
                try await recognise(queue)
                let path = path
                try await queue.read { db in
                    let tables = try Self.tables(db)
                    guard LedgerSchema.tables.isSubset(of: tables) else {
                        throw LedgerError.notALedger(path, "SQLite, but without the ledger's tables")
                    }
                }
                return queue
            } catch {
                try? queue.close()
                throw error
            }
        } catch {
            throw LedgerError.from(error, path: path, doing: "opening")
        }
    }

    private func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.journalMode = .wal
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "particlectl ledger"
        let pageLimit = options.pageLimit
        configuration.prepareDatabase { db in
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = FULL") }
            if let pageLimit { try db.execute(sql: "PRAGMA max_page_count = \(pageLimit)") }
        }
        return configuration
    }

    /// Refuses an SQLite file that belongs to something else, or a ledger of a newer schema.
    private func recognise(_ queue: DatabaseQueue) async throws {
        let path = path
        try await queue.read { db in
            let tables = try Self.tables(db)
            guard !tables.isEmpty else { return }  // a new, empty database
            guard tables.contains("grdb_migrations"),
                  try LedgerSchema.migrator.appliedIdentifiers(db).contains(LedgerSchema.firstMigration) else {
                throw LedgerError.notALedger(path, "SQLite, but without the ledger's tables")
            }
            if try LedgerSchema.migrator.hasBeenSuperseded(db) { throw LedgerError.newerSchema(path) }
        }
    }

    private func migrate(_ queue: DatabaseQueue) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            LedgerSchema.migrator.asyncMigrate(queue) { result in
                continuation.resume(with: result.map { _ in () })
            }
        }
    }

    /// One real write at opening: a full disk or a read-only file system is found now, not at the first device.
    private func probe(_ queue: DatabaseQueue) async throws {
        let now = LedgerTime.string(from: options.clock())
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO ledger_info (id, created_at, created_by, opened_at) VALUES (1, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET opened_at = excluded.opened_at
                """, arguments: [now, "particlectl \(ParticlectlVersion.string)", now])
        }
    }

    private static func tables(_ db: Database) throws -> Set<String> {
        try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    }
}
