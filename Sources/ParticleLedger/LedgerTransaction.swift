/// The SQL dialect a transaction speaks; the ledger's statements are written in the subset both accept.
enum LedgerDialect: String, Sendable {
    case sqlite, postgres
}

/// One open transaction on either back-end, synchronous: SQLite runs it on GRDB's writer queue, PostgreSQL on a
/// connection's own thread (``PostgresLane``), never on Swift's cooperative pool. The ledger's logic
/// (``LedgerOperations``) is written once against this, so both back-ends behave the same.
protocol LedgerTransaction {
    var dialect: LedgerDialect { get }
    /// Runs one statement (`?` placeholders); returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [LedgerValue]) throws -> Int
    /// Runs one query (`?` placeholders); returns its rows.
    func rows(_ sql: String, _ arguments: [LedgerValue]) throws -> [LedgerRow]
    /// Serialises this transaction against every other one taking the same key, until it ends. SQLite needs nothing
    /// (a write transaction is IMMEDIATE: one writer at a time for the whole file); PostgreSQL takes a
    /// transaction-level advisory lock on the key's hash.
    func lock(_ key: String) throws
}

extension LedgerTransaction {
    func row(_ sql: String, _ arguments: [LedgerValue] = []) throws -> LedgerRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row.
    func value(_ sql: String, _ arguments: [LedgerValue] = []) throws -> LedgerValue? {
        guard let row = try row(sql, arguments), let column = row.values.keys.first else { return nil }
        return row.values[column]
    }
}
