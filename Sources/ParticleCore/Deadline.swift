import Glibc

/// A point in monotonic time after which a wait gives up. Every wait in particlectl has one.
///
/// Any `Double` is accepted without trapping: NaN and negative values mean "already passed", values beyond
/// `maximumMilliseconds` (ten years) are capped.
public struct MonotonicDeadline: Sendable {
    /// Ten years: "as good as never" for a wait, and far from `Int64` overflow.
    public static let maximumMilliseconds: Int64 = 10 * 365 * 24 * 3600 * 1000

    public let milliseconds: Int64

    public init(seconds: Double) {
        milliseconds = Self.now() + Self.clampedMilliseconds(seconds)
    }

    public init(_ seconds: Seconds) {
        self.init(seconds: seconds.value)
    }

    public init(millisecondsFromNow: Int64) {
        milliseconds = Self.now() + min(Self.maximumMilliseconds, max(0, millisecondsFromNow))
    }

    /// `seconds` in milliseconds, clamped to `0...maximumMilliseconds`; NaN is 0.
    static func clampedMilliseconds(_ seconds: Double) -> Int64 {
        guard seconds > 0 else { return 0 } // also NaN
        let ms = (seconds * 1000).rounded()
        guard ms < Double(maximumMilliseconds) else { return maximumMilliseconds }
        return Int64(ms)
    }

    /// What is left, clamped to 0 and to `Int32` for `poll(2)`.
    public var remainingMilliseconds: Int32 {
        Int32(clamping: max(0, milliseconds - Self.now()))
    }

    public var hasPassed: Bool { Self.now() >= milliseconds }

    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
