import Foundation

/// A rate-limit back-off as a caller may show it: which request the cloud refused, how long every request of the
/// client waits, how much of that is left. Never holds a token or a body.
public struct BackOff: Sendable, Equatable {
    /// The refused request, `GET /v1/devices/…` (the path as `--verbose` shows it).
    public var request: String
    /// The HTTP status that closed the gate (429).
    public var status: Int
    /// The whole wait in seconds.
    public var seconds: Double
    /// Seconds still to wait; 0 in the last report, when requests flow again.
    public var remaining: Double
    /// The retry this wait precedes (1-based) and how many the policy allows.
    public var retry: Int
    public var maximumRetries: Int

    public init(request: String, status: Int = 429, seconds: Double, remaining: Double, retry: Int, maximumRetries: Int) {
        self.request = request
        self.status = status
        self.seconds = seconds
        self.remaining = remaining
        self.retry = retry
        self.maximumRetries = maximumRetries
    }

    /// Seconds already waited.
    public var elapsed: Double { max(0, seconds - remaining) }
}

/// The one rate-limit back-off of a client: a 429 closes the gate until a time, and every request through the client
/// waits at it before it is sent, so many concurrent callers send nothing while the cloud asked them to wait (instead
/// of each retrying on its own). A waiter whose task is cancelled leaves at once.
public actor RateLimitGate {
    private let clock = ContinuousClock()
    private var closedUntil: ContinuousClock.Instant?

    public init() {}

    /// Keeps every request back for `seconds` from now (a later time already set stays). Returns the time the gate
    /// opens.
    @discardableResult
    public func close(for seconds: Double) -> ContinuousClock.Instant {
        let until = clock.now.advanced(by: .nanoseconds(Int64(max(0, min(seconds, 86_400)) * 1_000_000_000)))
        if let current = closedUntil, current > until { return current }
        closedUntil = until
        return until
    }

    /// Seconds until the gate opens; 0 when it is open.
    public var remaining: Double {
        guard let closedUntil else { return 0 }
        let left = clock.now.duration(to: closedUntil)
        return left > .zero ? Self.seconds(left) : 0
    }

    /// Returns once the gate is open (at once when it is); throws `CancellationError` as soon as the task is
    /// cancelled. A gate closed again while waiting is waited for again.
    public func wait() async throws {
        while let until = closedUntil, until > clock.now {
            try await Task.sleep(until: until, clock: clock)
        }
        try Task.checkCancellation()
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
