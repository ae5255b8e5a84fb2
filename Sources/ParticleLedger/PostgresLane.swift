import Dispatch
import Foundation
import Logging
import ParticleCore
import PostgresNIO

/// One PostgreSQL connection and the thread its transactions run on. A transaction is the same synchronous
/// ``LedgerOperations`` code SQLite runs; here each statement waits for the server on this lane's own thread
/// (``IOThread``), never on Swift's cooperative pool. A connection that broke is dropped and made again at the next
/// transaction: the server restarting costs the transactions in flight (rolled back, retried by the caller), nothing
/// committed.
actor PostgresLane {
    private let thread: IOThread
    private let address: PostgresAddress
    private let connectTimeout: Double
    private let queryTimeout: Double
    private var connection: PostgresConnection?
    private var nextID = 0
    private let roundTrips: PostgresRoundTrips
    private static let logger = Logger(label: "particlectl.ledger.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(address: PostgresAddress, connectTimeout: Double, queryTimeout: Double = 20,
         roundTrips: PostgresRoundTrips = PostgresRoundTrips()) {
        self.thread = IOThread(name: "ledger-postgres")
        self.roundTrips = roundTrips
        self.address = address
        self.connectTimeout = connectTimeout
        self.queryTimeout = queryTimeout
    }

    /// Runs `body` in one transaction (read-only: REPEATABLE READ, so a report sees one snapshot); commits when it
    /// returns, rolls back when it throws.
    func transaction<T: Sendable>(readOnly: Bool, _ body: (any LedgerTransaction) throws -> T) throws -> T {
        let connection = try connected()
        let transaction = PostgresTransaction(connection: connection, timeout: queryTimeout, logger: Self.logger,
                                              roundTrips: roundTrips, inTransaction: true)
        do {
            try transaction.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", [])
            let value = try body(transaction)
            try transaction.execute("COMMIT", [])
            return value
        } catch {
            if connection.isClosed || PostgresFailure.isConnectionLoss(error) {
                drop()
            } else if (try? transaction.execute("ROLLBACK", [])) == nil {
                drop()
            }
            throw error
        }
    }

    /// Runs `body` outside a transaction: each statement commits on its own, without the round trips of BEGIN and
    /// COMMIT (see ``LedgerBackend/writeAutocommit(_:_:)`` for what `body` may do).
    func autocommit<T: Sendable>(_ body: (any LedgerTransaction) throws -> T) throws -> T {
        let connection = try connected()
        let statements = PostgresTransaction(connection: connection, timeout: queryTimeout, logger: Self.logger,
                                             roundTrips: roundTrips, inTransaction: false)
        do {
            return try body(statements)
        } catch {
            if connection.isClosed || PostgresFailure.isConnectionLoss(error) { drop() }
            throw error
        }
    }

    /// Closes the connection; the lane's thread ends.
    func close() {
        drop()
        thread.shutdown()
    }

    /// A ledger dropped without ``close()``: its connection is closed all the same (postgres-nio requires it).
    deinit {
        Self.close(connection)
        thread.shutdown()
    }

    private func drop() {
        Self.close(connection)
        connection = nil
    }

    /// Closes in the background; the closure holds the connection until it is closed.
    private static func close(_ connection: PostgresConnection?) {
        guard let connection else { return }
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        var configuration: PostgresConnection.Configuration
        if address.isUnixSocket {
            configuration = .init(unixSocketPath: address.host + "/.s.PGSQL.\(address.port)", username: address.user,
                                  password: address.password, database: address.database)
        } else {
            configuration = .init(host: address.host, port: address.port, username: address.user,
                                  password: address.password, database: address.database, tls: .disable)
        }
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        nextID += 1
        let id = nextID
        let settings = configuration
        // Connecting runs on NIO's event loop, like every query: a lane waits on its own thread, never for a task on
        // the cooperative pool (which a loaded process can starve for longer than the connect timeout).
        let future = PostgresConnection.connect(on: NIOSingletons.posixEventLoopGroup.next(), configuration: settings,
                                                id: id, logger: Self.logger)
        let made = try PostgresWait.future(future, timeout: connectTimeout + 1, onTimeout: {
            // Made after the wait gave up: nobody will use it; postgres-nio wants it closed before release.
            future.whenSuccess { late in late.close().whenComplete { _ in withExtendedLifetime(late) {} } }
        }) { $0 }
        connection = made
        return made
    }
}

/// A transaction on one PostgreSQL connection: `?` placeholders become `$1…`, values are bound with their types.
struct PostgresTransaction: LedgerTransaction {
    let connection: PostgresConnection
    let timeout: Double
    let logger: Logger
    let roundTrips: PostgresRoundTrips
    /// False outside BEGIN … COMMIT (``PostgresLane/autocommit(_:)``), where an advisory lock would end at once.
    let inTransaction: Bool
    var dialect: LedgerDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ arguments: [LedgerValue]) throws -> Int {
        try run(sql, arguments).changed
    }

    func rows(_ sql: String, _ arguments: [LedgerValue]) throws -> [LedgerRow] {
        try run(sql, arguments).rows
    }

    /// `pg_advisory_xact_lock`: held until the transaction ends; the key's 32-bit hash (collisions only serialise two
    /// unrelated keys, never admit two holders of one).
    func lock(_ key: String) throws {
        precondition(inTransaction, "a lock outside a transaction would be released at once")
        _ = try run("SELECT pg_advisory_xact_lock(hashtext(?))", [.text(key)])
    }

    private func run(_ sql: String, _ arguments: [LedgerValue]) throws -> (rows: [LedgerRow], changed: Int) {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        roundTrips.add()
        let future = connection.query(query, logger: logger)
        let connection = connection
        return try PostgresWait.future(future, timeout: timeout, onTimeout: {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }) {
            result in (try result.rows.map(Self.row), result.metadata.rows ?? 0)
        }
    }

    /// `?` → `$n`, outside quoted text.
    static func numbered(_ sql: String) -> String {
        var out = ""
        var count = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                count += 1
                out += "$\(count)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func row(_ row: PostgresRow) throws -> LedgerRow {
        var values: [String: LedgerValue] = [:]
        for cell in row {
            guard cell.bytes != nil else {
                values[cell.columnName] = .null
                continue
            }
            switch cell.dataType {
            case .int2, .int4, .int8, .oid:
                values[cell.columnName] = .integer(try cell.decode(Int64.self))
            case .float4, .float8:
                values[cell.columnName] = .real(try cell.decode(Double.self))
            case .bool:
                values[cell.columnName] = .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .void:
                values[cell.columnName] = .null
            default:
                values[cell.columnName] = .text(try cell.decode(String.self))
            }
        }
        return LedgerRow(values)
    }
}

/// How many statements a back-end's lanes sent (each one round trip: postgres-nio's extended protocol sends Parse,
/// Bind, Execute and Sync together and waits for the answer), for tests to pin each operation's cost.
final class PostgresRoundTrips: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Waits on the calling thread (a lane's own thread, never the cooperative pool) for work done on NIO's event loops.
enum PostgresWait {
    private final class Box<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    /// `future`'s value mapped by `transform` (on the event loop); after `timeout` seconds `onTimeout` runs (it
    /// closes the connection) and ``PostgresFailure/timedOut`` is thrown.
    static func future<F: Sendable, T: Sendable>(_ future: EventLoopFuture<F>, timeout: Double,
                                                 onTimeout: @escaping @Sendable () -> Void,
                                                 _ transform: @escaping @Sendable (F) throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        let box = Box<T>()
        future.whenComplete { outcome in
            box.result = Result { try transform(outcome.get()) }
            semaphore.signal()
        }
        guard semaphore.wait(timeout: .now() + timeout) == .success, let result = box.result else {
            onTimeout()
            throw PostgresFailure.timedOut(seconds: timeout)
        }
        return try result.get()
    }
}
