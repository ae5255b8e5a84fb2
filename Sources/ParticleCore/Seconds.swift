/// A duration given by a user (every `--timeout`-like option of the three executables): a finite number of seconds
/// between `minimum` and `maximum`. Parsing is separate from the CLI so a library caller gets the same rules.
///
/// `inf`, `nan`, `1e300`, `0`, `-1` and `1e-9` are refused with one message; a value that exists is always safe to
/// turn into a deadline.
public struct Seconds: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 10 ms: deadlines are kept in milliseconds, and anything shorter cannot be waited for meaningfully.
    public static let minimum = 0.01
    /// One day: longer waits are surely a typo (and `serial monitor`, `serial watch` run forever without one).
    public static let maximum = 86_400.0

    public let value: Double

    /// nil when `value` is outside `minimum...maximum` or not a number.
    public init?(_ value: Double) {
        guard value.isFinite, value >= Self.minimum, value <= Self.maximum else { return nil }
        self.value = value
    }

    /// For values computed in code and for literals (`let timeout: Seconds = 5`): out of range is clamped, never a trap.
    public init(clamping value: Double) {
        self.value = value.isNaN ? Self.minimum : min(Self.maximum, max(Self.minimum, value))
    }

    /// Parses `5`, `0.5`, `120`; throws `InvalidSeconds` (a usage error) otherwise.
    public init(parsing text: String) throws(InvalidSeconds) {
        guard let number = Double(text.trimmingSpaces), let seconds = Seconds(number) else {
            throw InvalidSeconds(text: text)
        }
        self = seconds
    }

    public var milliseconds: Int64 { Int64((value * 1000).rounded()) }

    public var description: String {
        value == value.rounded() ? String(Int64(value)) : String(value)
    }

    public static func < (lhs: Seconds, rhs: Seconds) -> Bool { lhs.value < rhs.value }
}

/// A duration that is not a finite number of seconds in range. Its description is the whole explanation, so
/// ArgumentParser can append it to "The value '…' is invalid for '--timeout <seconds>'".
public struct InvalidSeconds: ParticleError, Equatable {
    public var text: String
    public init(text: String) { self.text = text }

    public var exitStatus: ExitStatus { .usage }

    public var message: String {
        "a duration is a number of seconds from \(Seconds.minimum) to \(Int(Seconds.maximum)) (one day)"
    }
}

extension Seconds: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(clamping: Double(value)) }
    public init(floatLiteral value: Double) { self.init(clamping: value) }
}

private extension String {
    var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
