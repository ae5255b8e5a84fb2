// The station's ledger: one row per device, one per attempt, one per step, in SQLite through GRDB (WAL) or in a
// PostgreSQL database several stations share (postgres-nio).
//
// `Ledger` (Ledger.swift) is the API the station calls; its logic is `LedgerOperations`, written once against
// `LedgerTransaction` and run by a `LedgerBackend`: `SQLiteLedgerBackend` (opened safely by `LedgerOpener` and
// `LedgerFile`) or `PostgresLedgerBackend` (connections in `PostgresLane`s, opened and migrated by
// `PostgresLedgerOpener`, errors mapped by `PostgresFailure`). `LedgerLocation`, `PostgresAddress` and `PGPassFile`
// read `--ledger`, the PG* variables and ~/.pgpass. `LedgerSchema` holds the migrations; `LedgerReport` and
// `ReportCSV` are what `station report` prints.
