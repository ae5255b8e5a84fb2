import Foundation
import GRDB

/// The ledger's tables, the same on both back-ends. SQLite: created and migrated by GRDB's migrator (applied
/// migrations are listed in `grdb_migrations`). PostgreSQL: the same migrations, their SQL mapped to PostgreSQL types
/// (``postgres(_:)``), applied by ``PostgresLedgerOpener`` and listed in `ledger_migrations`. A new schema version is
/// a new migration appended here, never an edit of an old one.
enum LedgerSchema {
    /// The tables a file must hold to be recognised as a ledger.
    static let tables: Set<String> = ["ledger_info", "devices", "attempts", "steps", "hooks", "names"]

    /// The first migration's identifier: a file whose `grdb_migrations` lacks it is not a ledger.
    static let firstMigration = "v1-station-ledger"

    /// Several stations on one ledger: the attempt token that makes `beginAttempt` idempotent, per-station indexes.
    static let secondMigration = "v2-multi-station"

    /// Names in one call on PostgreSQL: the function `particlectl_allocate_name` (see ``postgresVersion3``). SQLite
    /// allocates in its write transaction and has nothing to create.
    static let thirdMigration = "v3-name-allocation"

    /// Every migration, in order, with its SQL (SQLite's dialect).
    static let migrations: [(identifier: String, sql: String)] = [
        (firstMigration, version1),
        (secondMigration, version2),
        (thirdMigration, "SELECT 1"),
    ]

    /// Migrations whose PostgreSQL statements are not their SQLite SQL mapped by ``postgres(_:)``.
    static let postgresOnly: [String: [String]] = [thirdMigration: [postgresVersion3]]

    /// A migration's statements for PostgreSQL.
    static func postgresStatements(_ identifier: String, _ sql: String) -> [String] {
        postgresOnly[identifier] ?? postgres(sql)
    }

    static var identifiers: [String] { migrations.map(\.identifier) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// A migration's SQL for PostgreSQL, one statement per element: 64-bit integers, `BIGSERIAL` keys, double
    /// precision, and text compared byte by byte (`COLLATE "C"`, as SQLite does) so that reports sort the same.
    static func postgres(_ sql: String) -> [String] {
        let mapped = sql
            .replacingOccurrences(of: "INTEGER PRIMARY KEY AUTOINCREMENT", with: "BIGSERIAL PRIMARY KEY")
            .replacingOccurrences(of: "INTEGER", with: "BIGINT")
            .replacingOccurrences(of: " REAL", with: " DOUBLE PRECISION")
            .replacingOccurrences(of: " TEXT", with: " TEXT COLLATE \"C\"")
        return mapped.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// `particlectl_allocate_name(template, device, now, seqs, candidates)`: under the template's advisory lock (the
    /// same key ``LedgerOperations/allocateName`` locks), the device's name under the template if it has one; else the
    /// first candidate whose number is above the template's highest and whose name is free, stored. Returns one row:
    /// the name (NULL when no candidate fitted), the highest number seen under the lock, and whether the device is
    /// known. Each statement inside reads a new snapshot, so the highest number is read after the lock is held; the
    /// lock is held for the one statement's transaction, with no client round trip inside it (stations naming 64
    /// devices at once queued behind four round trips each). A name taken by another template's allocation at the
    /// same moment makes the insert do nothing, and the next candidate is tried.
    static let postgresVersion3 = #"""
        CREATE OR REPLACE FUNCTION particlectl_allocate_name(template_text TEXT, device TEXT, now_text TEXT,
                                                             seqs BIGINT[], candidates TEXT[])
        RETURNS TABLE (allocated TEXT, highest BIGINT, device_known BOOLEAN)
        LANGUAGE plpgsql VOLATILE AS $body$
        DECLARE
            existing TEXT;
            top BIGINT;
            placed INTEGER;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext('names:' || template_text));
            SELECT n.name INTO existing FROM names n WHERE n.template = template_text AND n.device_id = device;
            IF existing IS NOT NULL THEN
                RETURN QUERY SELECT existing, NULL::BIGINT, TRUE;
                RETURN;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM devices d WHERE d.device_id = device) THEN
                RETURN QUERY SELECT NULL::TEXT, NULL::BIGINT, FALSE;
                RETURN;
            END IF;
            SELECT COALESCE(MAX(n.seq), 0) INTO top FROM names n WHERE n.template = template_text;
            FOR i IN 1 .. COALESCE(array_length(seqs, 1), 0) LOOP
                CONTINUE WHEN seqs[i] <= top;
                CONTINUE WHEN EXISTS (SELECT 1 FROM names n WHERE n.name = candidates[i]);
                INSERT INTO names (template, seq, device_id, name, allocated_at)
                VALUES (template_text, seqs[i], device, candidates[i], now_text) ON CONFLICT DO NOTHING;
                GET DIAGNOSTICS placed = ROW_COUNT;
                IF placed > 0 THEN
                    RETURN QUERY SELECT candidates[i], top, TRUE;
                    RETURN;
                END IF;
            END LOOP;
            RETURN QUERY SELECT NULL::TEXT, top, TRUE;
        END
        $body$
        """#

    private static let version2 = """
        ALTER TABLE attempts ADD COLUMN token TEXT;
        CREATE UNIQUE INDEX attempts_token ON attempts(token);
        CREATE INDEX attempts_station_started ON attempts(station, started_at);
        CREATE INDEX devices_station ON devices(station);
        """

    private static let version1 = """
        CREATE TABLE ledger_info (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            opened_at TEXT NOT NULL
        );
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY NOT NULL,
            serial_number TEXT,
            platform TEXT,
            mac TEXT,
            imei TEXT,
            iccid TEXT,
            device_os TEXT,
            name TEXT,
            owner TEXT,
            product TEXT,
            firmware TEXT,
            firmware_verified INTEGER CHECK (firmware_verified IN (0, 1)),
            status TEXT NOT NULL CHECK (status IN ('in_progress', 'provisioned', 'failed', 'interrupted')),
            profile TEXT,
            first_seen TEXT NOT NULL,
            finished_at TEXT,
            station TEXT,
            slot TEXT,
            operator TEXT,
            lot TEXT,
            last_error TEXT,
            last_attempt INTEGER
        );
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT REFERENCES devices(device_id),
            station TEXT NOT NULL,
            slot TEXT NOT NULL,
            operator TEXT,
            lot TEXT,
            profile TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('in_progress', 'provisioned', 'failed', 'interrupted', 'skipped')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            failed_step TEXT,
            error TEXT,
            device_before TEXT
        );
        CREATE TABLE steps (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id),
            ordinal INTEGER NOT NULL,
            step TEXT NOT NULL,
            outcome TEXT NOT NULL,
            seconds REAL NOT NULL,
            detail TEXT,
            error TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (attempt_id, ordinal)
        );
        CREATE TABLE hooks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            attempt_id INTEGER NOT NULL REFERENCES attempts(id),
            hook TEXT NOT NULL,
            command TEXT NOT NULL,
            exit_code INTEGER,
            seconds REAL NOT NULL,
            error TEXT,
            ran_at TEXT NOT NULL
        );
        CREATE TABLE names (
            template TEXT NOT NULL,
            seq INTEGER NOT NULL,
            device_id TEXT NOT NULL REFERENCES devices(device_id),
            name TEXT NOT NULL,
            allocated_at TEXT NOT NULL,
            UNIQUE (template, seq),
            UNIQUE (template, device_id),
            UNIQUE (name)
        );
        CREATE INDEX attempts_station_status ON attempts(station, status);
        CREATE INDEX attempts_started_at ON attempts(started_at);
        CREATE INDEX attempts_device ON attempts(device_id);
        CREATE INDEX attempts_lot ON attempts(lot);
        CREATE INDEX devices_status ON devices(status);
        CREATE INDEX hooks_attempt ON hooks(attempt_id);
        CREATE INDEX names_device ON names(device_id);
        """
}
