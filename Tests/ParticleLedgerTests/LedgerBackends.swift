// The two back-ends for parameterised tests: a fresh SQLite file, or a fresh database on the shared PostgreSQL server.
import Foundation
import ParticleCore
import Testing
@testable import ParticleLedger
import PostgresTestServer

enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A new, empty ledger location of one kind, kept alive (its folder) for the test.
struct FreshLedger: Sendable {
    let backend: Backend
    let location: String
    let environment: [String: String]
    let folder: TemporaryFolder
    let server: PostgresServer?
    let database: String?

    static func make(_ backend: Backend) async throws -> FreshLedger {
        let folder = try TemporaryFolder()
        switch backend {
        case .sqlite:
            return FreshLedger(backend: backend, location: folder.file("station.sqlite"), environment: [:],
                               folder: folder, server: nil, database: nil)
        case .postgres:
            let server = try await PostgresServer.shared()
            let database = try await server.createDatabase()
            return FreshLedger(backend: backend, location: server.url(database), environment: server.environment,
                               folder: folder, server: server, database: database)
        }
    }

    func options(_ clock: ManualClock? = nil) -> LedgerOptions {
        var options = clock?.options ?? LedgerOptions()
        options.environment = environment
        // The parallel test pass loads both cores; the product's 5 s default is for a station, not a loaded CI box.
        options.connectTimeout = 20
        return options
    }

    func open(_ clock: ManualClock? = nil) async throws -> Ledger {
        try await Ledger(path: location, options: options(clock))
    }

    /// One number from the ledger's tables, by SQL both dialects accept.
    func count(_ sql: String) async throws -> Int {
        switch backend {
        case .sqlite:
            return try await SQLiteCount.run(location, sql)
        case .postgres:
            guard let server, let database else { return -1 }
            return Int(try await server.sql(sql, database: database)) ?? -1
        }
    }
}

import GRDB

enum SQLiteCount {
    static func run(_ path: String, _ sql: String) async throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try await queue.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}
