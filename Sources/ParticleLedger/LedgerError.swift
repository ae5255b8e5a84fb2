import GRDB
import ParticleCore

/// Why the ledger cannot be opened, read or written: one line naming the path and what to do.
public struct LedgerError: ParticleError, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The file or its directory cannot be opened (missing directory, not a regular file, permission).
        case cannotOpen
        /// There is no ledger at the path (reading only: a report never creates one).
        case missing
        /// The file or its directory is read-only.
        case readOnly
        /// The disk (or the ledger's page limit) is full.
        case full
        /// The file is not a station ledger (not SQLite, or SQLite with other tables).
        case notALedger
        /// The ledger was written by a newer particlectl (migrations this one does not know).
        case newerSchema
        /// A write failed for another reason (I/O error, corruption).
        case writeFailed
        /// An attempt or device ID the ledger does not hold (a caller's mistake).
        case unknownRecord
        /// The device is being provisioned by another station (``holderStation``, ``holderSlot``).
        case deviceBusy
        /// The PostgreSQL server cannot be reached, or the connection was lost (a retry may succeed).
        case unreachable
        /// The PostgreSQL server refused the login (wrong or missing password, no such role, pg_hba).
        case authentication
        /// The PostgreSQL server did not answer within the time allowed.
        case timedOut
    }

    public var kind: Kind
    public var path: String
    public var message: String
    /// With ``Kind/deviceBusy``: the station and slot that have the device.
    public var holderStation: String?
    public var holderSlot: String?

    public init(_ kind: Kind, path: String, _ message: String, holderStation: String? = nil, holderSlot: String? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.holderStation = holderStation
        self.holderSlot = holderSlot
    }

    /// A write that failed this way may succeed when tried again (the database came back).
    public var isTransient: Bool { kind == .unreachable || kind == .timedOut }

    public var exitStatus: ExitStatus {
        switch kind {
        case .missing, .unknownRecord: .notFound
        case .notALedger, .newerSchema: .usage
        case .cannotOpen, .readOnly, .full, .writeFailed, .deviceBusy, .unreachable: .io
        case .authentication: .authentication
        case .timedOut: .timedOut
        }
    }
}

extension LedgerError {
    static func missing(_ path: String) -> LedgerError {
        LedgerError(.missing, path: path,
                    "no ledger at \(path); run `particlectl station run` first or pass --ledger")
    }

    static func notALedger(_ path: String, _ why: String) -> LedgerError {
        LedgerError(.notALedger, path: path,
                    "\(path) is not a station ledger (\(why)); pass --ledger with a ledger file or a new path")
    }

    static func deviceBusy(_ path: String, deviceID: String, station: String, slot: String?) -> LedgerError {
        LedgerError(.deviceBusy, path: path,
                    "device \(deviceID) is being provisioned by station \(station)"
                    + (slot.map { " (slot \($0))" } ?? "") + "; it is left to that station",
                    holderStation: station, holderSlot: slot)
    }

    static func newerSchema(_ path: String) -> LedgerError {
        LedgerError(.newerSchema, path: path,
                    "the ledger \(path) was written by a newer particlectl; use that version (or a new --ledger path)")
    }

    static func full(_ path: String) -> LedgerError {
        LedgerError(.full, path: path,
                    "the ledger \(path) cannot grow: the disk is full; free space or pass --ledger on another disk")
    }

    static func readOnly(_ path: String, _ what: String) -> LedgerError {
        LedgerError(.readOnly, path: path,
                    "the ledger \(path) cannot be written: \(what); make it writable or pass --ledger with another path")
    }

    /// Maps an SQLite error met while working on the ledger at `path`.
    static func from(_ error: any Error, path: String, doing action: String) -> any Error {
        if error is LedgerError { return error }
        guard let database = error as? DatabaseError else { return error }
        switch database.resultCode {
        case .SQLITE_FULL:
            return full(path)
        case .SQLITE_READONLY:
            return readOnly(path, "the file or its disk is read-only")
        case .SQLITE_NOTADB:
            return notALedger(path, "not an SQLite database")
        case .SQLITE_CANTOPEN:
            return LedgerError(.cannotOpen, path: path,
                               "cannot open the ledger \(path); check that its directory exists and is writable")
        case .SQLITE_PERM, .SQLITE_AUTH:
            return readOnly(path, "permission denied")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerError(.writeFailed, path: path,
                               "the ledger \(path) stayed locked by another process while \(action); "
                               + "stop the other station using it, or pass another --ledger")
        default:
            let detail = database.message ?? "\(database.resultCode)"
            return LedgerError(.writeFailed, path: path,
                               "the ledger \(path) failed while \(action): \(detail); check the disk, or pass another --ledger")
        }
    }
}
