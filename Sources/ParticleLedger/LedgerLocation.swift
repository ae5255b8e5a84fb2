import Foundation
import ParticleCore

/// What `--ledger` names: an SQLite file path (the default), or a PostgreSQL database as a `postgres://` or
/// `postgresql://` URL (see ``PostgresAddress``).
public enum LedgerLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case sqlite, postgres
    }

    case sqlite(String)
    case postgres(PostgresAddress)

    /// Parses `text`; a URL's missing parts come from `environment` (`PG*`, `~/.pgpass`), see
    /// ``PostgresAddress/init(url:environment:warn:)``.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                warn: (String) -> Void = { _ in }) throws {
        if PostgresAddress.isURL(text) {
            self = .postgres(try PostgresAddress(url: text, environment: environment, warn: warn))
        } else {
            self = .sqlite(text)
        }
    }

    /// Checks `text` without reading the environment or any file: a URL with a password, a bad port or an unknown
    /// parameter is refused (exit 2), as a command's `validate()` should.
    public static func check(_ text: String) throws {
        guard PostgresAddress.isURL(text) else { return }
        _ = try PostgresAddress(url: text, environment: [:], lookUpPassword: false)
    }

    public var kind: Kind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The path, or the URL without any password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let address): address.description
        }
    }
}
