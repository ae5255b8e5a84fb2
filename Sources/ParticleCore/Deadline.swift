import Glibc

/// A point in monotonic time after which a wait gives up. Every wait in particlectl has one.
public struct MonotonicDeadline: Sendable {
    public let milliseconds: Int64

    public init(seconds: Double) {
        milliseconds = Self.now() + Int64((seconds * 1000).rounded())
    }

    public init(millisecondsFromNow: Int64) {
        milliseconds = Self.now() + millisecondsFromNow
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
