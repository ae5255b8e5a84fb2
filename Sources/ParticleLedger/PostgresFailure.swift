import PostgresNIO

/// What went wrong talking to PostgreSQL, turned into one ``LedgerError`` line naming the server (never the password)
/// and what to do. Unreachable and timed out are transient: the station retries its writes (``LedgerError/isTransient``).
enum PostgresFailure: Error {
    /// No answer within the time allowed (a lane's own wait).
    case timedOut(seconds: Double)

    static func isConnectionLoss(_ error: any Error) -> Bool {
        if case .timedOut = error as? PostgresFailure { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown,
             .messageDecodingFailure, .unexpectedBackendMessage:
            return true
        case .server:
            return isConnectionState(error.serverInfo?[.sqlState])
        default:
            return false
        }
    }

    /// SQLSTATE class 08 (connection exception) and 57P01–57P03 (the server shutting down or starting).
    private static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    static func ledgerError(_ error: any Error, address: PostgresAddress, doing action: String) -> any Error {
        let location = address.description
        let server = address.isUnixSocket ? "the socket in \(address.host) (port \(address.port))"
            : "\(address.host):\(address.port)"
        if case .timedOut(let seconds) = error as? PostgresFailure {
            return LedgerError(.timedOut, path: location,
                               "the PostgreSQL ledger \(location) did not answer within \(Int(seconds)) s while "
                               + "\(action); check the server and the network to \(server)")
        }
        guard let psql = error as? PSQLError else { return error }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let message = psql.serverInfo?[.message] ?? "error \(state)"
            switch state {
            case "28P01", "28000":
                return LedgerError(.authentication, path: location,
                                   "PostgreSQL at \(server) refused user \(address.user) (\(message)); set PGPASSWORD "
                                   + "or a ~/.pgpass line host:port:database:user:password (mode 0600), and check "
                                   + "pg_hba.conf")
            case "3D000":
                return LedgerError(.missing, path: location,
                                   "the database \(address.database) does not exist at \(server); create it "
                                   + "(createdb -O \(address.user) \(address.database)) or fix --ledger")
            case "42501" where action == "opening":
                // Most likely a migration (CREATE) by a role that may only read and write the tables.
                return LedgerError(.readOnly, path: location,
                                   "the PostgreSQL ledger \(location) refused opening: \(message); user "
                                   + "\(address.user) cannot apply the ledger's migrations — run `particlectl station "
                                   + "migrate --ledger \(location)` once as the database's owner, or grant "
                                   + "\(address.user) CREATE on the schema")
            case "42501":
                return LedgerError(.readOnly, path: location,
                                   "the PostgreSQL ledger \(location) refused \(action): \(message); grant user "
                                   + "\(address.user) rights on the database (or make it the owner)")
            default:
                if isConnectionState(state) {
                    return unreachable(location, server: server, why: message)
                }
                return LedgerError(.writeFailed, path: location,
                                   "the PostgreSQL ledger \(location) failed while \(action): \(message) "
                                   + "(SQLSTATE \(state)); check the server's log")
            }
        case .authMechanismRequiresPassword:
            return LedgerError(.authentication, path: location,
                               "PostgreSQL at \(server) wants a password for user \(address.user); set PGPASSWORD or "
                               + "a ~/.pgpass line host:port:database:user:password (mode 0600)")
        case .unsupportedAuthMechanism, .saslError:
            return LedgerError(.authentication, path: location,
                               "PostgreSQL at \(server) refused user \(address.user) (authentication failed); check "
                               + "the password (PGPASSWORD or ~/.pgpass) and pg_hba.conf")
        case .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return LedgerError(.cannotOpen, path: location,
                               "PostgreSQL at \(server) insists on TLS, which the ledger does not use; allow a plain "
                               + "connection from this station in pg_hba.conf (host, not hostssl)")
        default:
            let underlying = psql.underlying.map { String(describing: $0) } ?? ""
            let why = underlying.localizedLowercase.contains("refused") ? "connection refused"
                : psql.code == .connectionError ? "cannot connect" : "the connection was lost"
            return unreachable(location, server: server, why: why)
        }
    }

    private static func unreachable(_ location: String, server: String, why: String) -> LedgerError {
        LedgerError(.unreachable, path: location,
                    "cannot reach the PostgreSQL ledger \(location) (\(why)); start the server or check --ledger, "
                    + "PGHOST and PGPORT")
    }
}
