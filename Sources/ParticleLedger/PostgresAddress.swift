import Foundation
import Glibc
import ParticleCore

/// A PostgreSQL ledger's connection parameters, resolved as libpq resolves them: the URL
/// `postgres://USER@HOST:PORT/DB` first, then `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, then defaults (host
/// `localhost`, port 5432, the login name as user, the user as database). The password comes from `PGPASSWORD` or
/// the password file (``PGPassFile``), **never** from the URL (refused: a command line shows in `ps` and shell
/// history). A host starting with `/` (or `%2F…` in the URL) is a Unix-socket directory. No TLS: the ledger is meant
/// for loopback or the factory LAN; `sslmode=require` and stronger are refused.
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    /// From `PGPASSWORD` or the password file; never printed (not in ``description``).
    public var password: String?
    /// Seconds to wait for a connection (`connect_timeout=` in the URL); nil: the ledger's default.
    public var connectTimeout: Double?

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
                connectTimeout: Double? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.connectTimeout = connectTimeout
    }

    static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// `postgres://user@host:port/database`: what the ledger is called in messages, reports and JSON.
    public var description: String {
        let shownHost = host.hasPrefix("/") ? Self.encode(host) : (host.contains(":") ? "[\(host)]" : host)
        return "postgres://\(Self.encode(user))@\(shownHost):\(port)/\(Self.encode(database))"
    }

    /// Whether the host is a Unix-socket directory.
    public var isUnixSocket: Bool { host.hasPrefix("/") }

    /// Parses and resolves `url` (see the type's description). A password in the URL, a bad port, an unknown or TLS
    /// parameter: a usage error (exit 2) that never repeats the URL's password.
    public init(url: String, environment: [String: String], warn: (String) -> Void = { _ in },
                lookUpPassword: Bool = true) throws {
        guard let schemeEnd = url.range(of: "://") else { throw Self.usage("is not a postgres:// URL") }
        var rest = Substring(url[schemeEnd.upperBound...])
        var parameters: [(String, String)] = []
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                parameters.append((String(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : ""))
            }
            rest = rest[..<question]
        }
        let authority: Substring
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
        }
        var userPart: Substring?
        var hostPart = authority
        if let at = authority.lastIndex(of: "@") {
            userPart = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
        }
        if let userPart, userPart.contains(":") {
            throw UserError(.usage, "--ledger must not hold a password (a command line shows in ps and shell history); "
                            + "set PGPASSWORD or put it in ~/.pgpass (mode 0600)")
        }
        var hostText: String?
        var portText: String?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw Self.usage("has an unclosed [ in its host") }
            hostText = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty {
                throw Self.usage("has text after its [host]")
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            hostText = Self.decode(hostPart[..<colon])
            portText = String(hostPart[hostPart.index(after: colon)...])
        } else if !hostPart.isEmpty {
            hostText = Self.decode(hostPart)
        }
        if hostText?.isEmpty == true { hostText = nil }
        if portText?.isEmpty == true { portText = nil }

        var timeout: Double?
        for (name, value) in parameters {
            switch name {
            case "sslmode":
                guard ["disable", "allow", "prefer"].contains(value) else {
                    throw Self.usage("asks for sslmode=\(UntrustedText.escaped(value)); the ledger does not use TLS "
                                     + "(loopback or the factory LAN): use sslmode=disable or leave it out")
                }
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0 else {
                    throw Self.usage("has connect_timeout=\(UntrustedText.escaped(value)); give a number of seconds")
                }
                timeout = seconds
            case "application_name":
                break
            case "password":
                throw UserError(.usage, "--ledger must not hold a password (a command line shows in ps and shell "
                                + "history); set PGPASSWORD or put it in ~/.pgpass (mode 0600)")
            default:
                throw Self.usage("has the parameter \(UntrustedText.escaped(name)), which the ledger does not know; "
                                 + "known: sslmode=disable, connect_timeout, application_name")
            }
        }

        let host = hostText ?? environment["PGHOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let portSource = portText ?? environment["PGPORT"].flatMap { $0.isEmpty ? nil : $0 }
        var port = 5432
        if let portSource {
            guard let number = Int(portSource), (1...65535).contains(number) else {
                throw Self.usage("has the port \(UntrustedText.escaped(portSource)); give a number from 1 to 65535")
            }
            port = number
        }
        let user = userPart.map(Self.decode).flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.loginName(environment)
        let database = Self.decode(path).isEmpty
            ? (environment["PGDATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? user) : Self.decode(path)
        var password = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if lookUpPassword, password == nil, let file = PGPassFile.path(environment: environment),
           let text = PGPassFile.contents(at: file, warn: warn) {
            password = PGPassFile.password(in: text, host: host, port: port, database: database, user: user)
        }
        self.init(host: host, port: port, user: user, database: database, password: password, connectTimeout: timeout)
    }

    private static func usage(_ problem: String) -> UserError {
        UserError(.usage, "--ledger \(problem) (postgres://USER@HOST:PORT/DATABASE)")
    }

    private static func loginName(_ environment: [String: String]) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let user = environment["LOGNAME"], !user.isEmpty { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }

    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
