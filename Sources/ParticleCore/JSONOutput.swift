import Foundation

/// The one way particlectl writes JSON — `--json` output, request bodies, the credentials file, a ledger record for a
/// hook — so that every object has stable keys:
///
/// - key *names* are fixed by the type (`CodingKeys`, snake_case as the README documents them);
/// - key *order* is sorted, and `/` is never escaped (`JSONOutput` sets that; no other encoder is configured anywhere);
/// - a key whose value is unknown is still written, as `null`, where the README says the key is always there: a
///   hand-written `encode(to:)` encodes the Optional itself (`encode(value, forKey:)`, not `encodeIfPresent`), or a
///   field is a `Nullable`. Synthesized `Encodable` leaves nil keys out, which some objects document on purpose.
///
/// Any JSON value read or built by hand is a `JSONValue`.
public enum JSONOutput {
    public enum Style: Sendable {
        /// One line (`--json` output, bodies).
        case line
        /// Indented, for files people read (the credentials file, a simulator's state).
        case pretty
    }

    /// `value` as JSON bytes.
    public static func encode<T: Encodable>(_ value: T, style: Style = .line) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = style == .pretty
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `value` as one line of JSON; `null` if it cannot be encoded (our own types always can).
    public static func line<T: Encodable>(_ value: T) -> String {
        guard let bytes = try? encode(value) else { return "null" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An optional value that is written as `null` when absent instead of being left out, for a field of a synthesized
/// `Encodable` whose key must always be present.
public struct Nullable<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    public var value: Wrapped?

    public init(_ value: Wrapped?) { self.value = value }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
