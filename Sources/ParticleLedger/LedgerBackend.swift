/// Where a ledger's transactions run: an SQLite file (``SQLiteLedgerBackend``) or a PostgreSQL database
/// (``PostgresLedgerBackend``). Each call is one transaction, committed when `write` returns; a failure rolls it back
/// and comes out as a ``LedgerError`` naming `location`.
protocol LedgerBackend: Sendable {
    /// The path, or the PostgreSQL URL without its password.
    var location: String { get }
    var isReadOnly: Bool { get }
    func write<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T
    /// Runs `body` with no transaction around it where the back-end allows: on PostgreSQL each statement commits on
    /// its own (no BEGIN and COMMIT round trips), so `body` must make its change in one statement (atomic by itself),
    /// with reads whose answer cannot go stale in a way that matters, and must not ``LedgerTransaction/lock(_:)``.
    /// SQLite: one write transaction, as ``write(_:_:)``. A failure comes out as a ``LedgerError`` naming `location`.
    func writeAutocommit<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T
    func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable (any LedgerTransaction) throws -> T) async throws -> T
    /// Statements sent to the server since opening, BEGIN and COMMIT included (PostgreSQL: each is one round trip);
    /// nil for SQLite, which has no round trips.
    var roundTrips: Int? { get }
    /// Closes connections; later calls fail.
    func close() async
}
