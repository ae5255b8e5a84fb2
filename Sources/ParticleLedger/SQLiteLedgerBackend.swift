import GRDB

/// The embedded back-end: one SQLite file through GRDB (WAL, `synchronous = FULL`), opened by ``LedgerOpener``.
/// GRDB's writes are IMMEDIATE transactions, so two processes on one file take turns (waiting up to the busy timeout).
final class SQLiteLedgerBackend: LedgerBackend {
    let location: String
    let isReadOnly: Bool
    private let database: DatabaseQueue

    init(path: String, database: DatabaseQueue, readOnly: Bool) {
        self.location = path
        self.database = database
        self.isReadOnly = readOnly
    }

    func write<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        do {
            return try await database.write { db in try body(SQLiteTransaction(db: db)) }
        } catch {
            throw LedgerError.from(error, path: location, doing: action)
        }
    }

    /// SQLite has no round trips to save: the same write transaction.
    func writeAutocommit<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        try await write(action, body)
    }

    var roundTrips: Int? { nil }

    func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T {
        do {
            return try await database.read { db in try body(SQLiteTransaction(db: db)) }
        } catch {
            throw LedgerError.from(error, path: location, doing: action)
        }
    }

    func close() async {
        try? database.close()
    }
}

/// GRDB's `Database` inside one `write` or `read` closure.
struct SQLiteTransaction: LedgerTransaction {
    let db: Database
    var dialect: LedgerDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [LedgerValue]) throws -> Int {
        try db.execute(sql: sql, arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [LedgerValue]) throws -> [LedgerRow] {
        try Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map(Self.row)
    }

    func lock(_ key: String) throws {}

    static func arguments(_ values: [LedgerValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .integer(let number): number
            case .real(let number): number
            case .text(let text): text
            }
        })
    }

    static func row(_ row: Row) -> LedgerRow {
        var values: [String: LedgerValue] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: values[column] = .null
            case .int64(let number): values[column] = .integer(number)
            case .double(let number): values[column] = .real(number)
            case .string(let text): values[column] = .text(text)
            case .blob(let data): values[column] = .text(String(decoding: data, as: UTF8.self))
            }
        }
        return LedgerRow(values)
    }
}
