// The station's ledger: one row per device, one per attempt, one per step, in SQLite through GRDB (WAL).
//
// `Ledger` (Ledger.swift) is the API the station calls; `LedgerOpener` and `LedgerFile` open the file safely;
// `LedgerSchema` holds the migrations; `LedgerReport` and `ReportCSV` are what `station report` prints.
