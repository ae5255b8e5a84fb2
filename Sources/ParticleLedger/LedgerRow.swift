import Foundation

/// One SQL value as both back-ends hand it over: the four storage classes the ledger's columns use.
enum LedgerValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    init(_ value: String?) { self = value.map(LedgerValue.text) ?? .null }
    init(_ value: Int64?) { self = value.map(LedgerValue.integer) ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Int32?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Double?) { self = value.map(LedgerValue.real) ?? .null }
    /// Booleans are stored as 0/1 integers on both back-ends.
    init(_ value: Bool?) { self = value.map { .integer($0 ? 1 : 0) } ?? .null }
}

/// One result row by column name, the same on SQLite and PostgreSQL, so that rows are turned into ledger types (and
/// reports computed) by one piece of code whatever the back-end.
struct LedgerRow: Sendable, Equatable {
    var values: [String: LedgerValue]

    init(_ values: [String: LedgerValue]) { self.values = values }

    func string(_ column: String) -> String? {
        switch values[column] {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .null, nil: nil
        }
    }

    func int64(_ column: String) -> Int64? {
        switch values[column] {
        case .integer(let number): number
        case .real(let number): Int64(exactly: number.rounded())
        case .text(let text): Int64(text)
        case .null, nil: nil
        }
    }

    func int(_ column: String) -> Int? { int64(column).map { Int($0) } }

    func double(_ column: String) -> Double? {
        switch values[column] {
        case .real(let number): number
        case .integer(let number): Double(number)
        case .text(let text): Double(text)
        case .null, nil: nil
        }
    }

    func bool(_ column: String) -> Bool? { int64(column).map { $0 != 0 } }
}

/// SQL the two back-ends share: written with `?` placeholders in the subset both dialects accept.
struct LedgerStatement: Sendable {
    var sql: String
    var arguments: [LedgerValue]

    init(_ sql: String, _ arguments: [LedgerValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// Ledger rows turned into the public types, for both back-ends.
enum LedgerRows {
    static func device(_ row: LedgerRow) -> LedgerDevice {
        LedgerDevice(deviceID: row.string("device_id") ?? "", serialNumber: row.string("serial_number"),
                     platform: row.string("platform"), mac: row.string("mac"), imei: row.string("imei"),
                     iccid: row.string("iccid"), deviceOS: row.string("device_os"), name: row.string("name"),
                     owner: row.string("owner"), product: row.string("product"), firmware: row.string("firmware"),
                     firmwareVerified: row.bool("firmware_verified"),
                     status: DeviceStatus(rawValue: row.string("status") ?? "") ?? .interrupted,
                     profile: row.string("profile"), firstSeen: row.string("first_seen") ?? "",
                     finishedAt: row.string("finished_at"), station: row.string("station"), slot: row.string("slot"),
                     operatorName: row.string("operator"), lot: row.string("lot"), lastError: row.string("last_error"),
                     lastAttempt: row.int64("last_attempt"))
    }

    static func attempt(_ row: LedgerRow) -> LedgerAttempt {
        LedgerAttempt(id: row.int64("id") ?? 0, deviceID: row.string("device_id"), station: row.string("station") ?? "",
                      slot: row.string("slot") ?? "", operatorName: row.string("operator"), lot: row.string("lot"),
                      profile: row.string("profile") ?? "",
                      status: AttemptStatus(rawValue: row.string("status") ?? "") ?? .interrupted,
                      startedAt: row.string("started_at") ?? "", finishedAt: row.string("finished_at"),
                      failedStep: row.string("failed_step"), error: row.string("error"))
    }

    static func step(_ row: LedgerRow) -> StepRecord {
        StepRecord(step: row.string("step") ?? "", outcome: row.string("outcome") ?? "",
                   seconds: row.double("seconds") ?? 0, detail: row.string("detail"), error: row.string("error"))
    }
}
