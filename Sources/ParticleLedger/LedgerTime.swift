import Foundation
import Glibc
import ParticleCore

/// The ledger's timestamps: ISO 8601 in UTC with milliseconds (`2025-03-01T08:15:02.125Z`), text that sorts in time
/// order and reads the same in `sqlite3`.
public enum LedgerTime {
    /// `date` as the ledger stores it.
    public static func string(from date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
        let milliseconds = Int(totalMilliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds)
    }

    /// The hour a stored timestamp falls in: `2025-03-01T08:00:00Z`.
    public static func hour(of stored: String) -> String? {
        guard stored.count >= 13 else { return nil }
        return String(stored.prefix(13)) + ":00:00Z"
    }

    /// Parses an ISO 8601 date (`2025-03-01`, midnight UTC) or date-time (`2025-03-01T08:00`, `…:00`, `…:00.5`,
    /// with `Z`, `±HH:MM`, `±HHMM` or no zone, meaning UTC; a space may stand for the `T`). Nil when it is neither.
    public static func date(from text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if !scanner.atEnd {
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
                  let h = scanner.number(digits: 2), scanner.skip(":"), let m = scanner.number(digits: 2),
                  h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if scanner.skip(":") {
                guard let s = scanner.number(digits: 2), s < 61 else { return nil }
                second = s
                if scanner.skip(".") || scanner.skip(",") {
                    guard let digits = scanner.digitRun(), !digits.isEmpty else { return nil }
                    fraction = Double("0." + digits) ?? 0
                }
            }
            if scanner.skip("Z") || scanner.skip("z") {
                // UTC
            } else if let sign = scanner.sign() {
                guard let oh = scanner.number(digits: 2), oh < 24 else { return nil }
                _ = scanner.skip(":")
                guard let om = scanner.number(digits: 2), om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
            guard scanner.atEnd else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let checkDay = parts
        let epoch = timegm(&parts)
        // timegm normalises 31 February into March: refuse dates that do not exist.
        guard parts.tm_mday == checkDay.tm_mday, parts.tm_mon == checkDay.tm_mon else { return nil }
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }

    /// `--since`: an ISO 8601 date or date-time (see ``date(from:)``), or an age before `now` — a whole number
    /// followed by `s`, `m`, `h` or `d` (`30m`, `2h`, `7d`).
    public static func since(_ text: String, now: Date) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, let unit = ageUnits[last], let count = Int(trimmed.dropLast()), count >= 0,
           trimmed.dropLast().allSatisfy(\.isASCII) {
            return now.addingTimeInterval(-Double(count) * unit)
        }
        if let date = date(from: trimmed) { return date }
        throw UserError(.usage, "--since \"\(UntrustedText.escaped(text))\" is neither a date (2025-03-01), a date-time "
                        + "(2025-03-01T08:00:00Z; no zone means UTC) nor an age (30m, 2h, 7d)")
    }

    private static let ageUnits: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
}

/// Reads ASCII digits and separators from the front of a byte string.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += digits
        return value
    }

    mutating func digitRun() -> String? {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
