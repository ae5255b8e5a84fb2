import Foundation
import ParticleCore

/// The PostgreSQL side of opening a ledger: recognise the database, refuse a newer schema, apply the missing
/// migrations (``LedgerSchema``, mapped to PostgreSQL) and record them in `ledger_migrations`, then the probe write —
/// all in one transaction under an advisory lock, so stations starting together migrate once.
enum PostgresLedgerOpener {
    static func prepare(_ tx: any LedgerTransaction, location: String, readOnly: Bool, now: String) throws -> [String] {
        if !readOnly { try tx.lock("particlectl-ledger-migrations") }
        let tables = Set(try tx.rows("""
            SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()
            """, []).compactMap { $0.string("name") })
        if !tables.contains("ledger_migrations") {
            if !tables.isDisjoint(with: LedgerSchema.tables) {
                throw LedgerError.notALedger(location, "PostgreSQL, with tables of the same names but no ledger_migrations")
            }
            if readOnly {
                throw LedgerError(.missing, path: location,
                                  "no ledger in \(location); run `particlectl station migrate --ledger \(location)` "
                                  + "or `station run` first")
            }
            try tx.execute("""
                CREATE TABLE ledger_migrations (identifier TEXT COLLATE "C" PRIMARY KEY, applied_at TEXT NOT NULL)
                """, [])
        }
        let applied = Set(try tx.rows("SELECT identifier FROM ledger_migrations", []).compactMap { $0.string("identifier") })
        if !applied.isSubset(of: Set(LedgerSchema.identifiers)) { throw LedgerError.newerSchema(location) }
        if readOnly {
            guard applied.contains(LedgerSchema.firstMigration) else {
                throw LedgerError.notALedger(location, "PostgreSQL, without the ledger's tables")
            }
            return []
        }
        var newlyApplied: [String] = []
        for migration in LedgerSchema.migrations where !applied.contains(migration.identifier) {
            for statement in LedgerSchema.postgresStatements(migration.identifier, migration.sql) { try tx.execute(statement, []) }
            try tx.execute("INSERT INTO ledger_migrations (identifier, applied_at) VALUES (?, ?)",
                           [.text(migration.identifier), .text(now)])
            newlyApplied.append(migration.identifier)
        }
        try tx.execute("""
            INSERT INTO ledger_info (id, created_at, created_by, opened_at) VALUES (1, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET opened_at = excluded.opened_at
            """, [.text(now), .text("particlectl \(ParticlectlVersion.string)"), .text(now)])
        return newlyApplied
    }
}
