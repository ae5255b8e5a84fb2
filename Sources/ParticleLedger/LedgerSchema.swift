import GRDB

/// The ledger's tables, created and migrated by GRDB's migrator (applied migrations are listed in
/// `grdb_migrations`). A new schema version is a new migration appended here, never an edit of an old one.
enum LedgerSchema {
    /// The tables a file must hold to be recognised as a ledger.
    static let tables: Set<String> = ["ledger_info", "devices", "attempts", "steps", "hooks", "names"]

    /// The first migration's identifier: a file whose `grdb_migrations` lacks it is not a ledger.
    static let firstMigration = "v1-station-ledger"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(firstMigration) { db in
            try db.execute(sql: version1)
        }
        return migrator
    }

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
