// The station's ledger: one row per device, one per attempt, one per step, in SQLite through GRDB (WAL).
import GRDB
