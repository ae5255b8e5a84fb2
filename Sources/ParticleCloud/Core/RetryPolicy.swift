import Foundation

/// When to repeat a call that failed: pure decisions, so they are tested without waiting.
///
/// - 429: retried up to `maximumRetries` times, waiting `Retry-After` when the server sent it (capped at
///   `maximumDelay`), otherwise exponential back-off with jitter. The reply body is never required.
/// - 500, 502, 503, 504: retried the same way, only for idempotent requests.
/// - 408 (device did not answer) and everything else: never retried.
public struct RetryPolicy: Sendable, Equatable {
    public var maximumRetries: Int
    /// First back-off delay in seconds; doubles each retry.
    public var baseDelay: Double
    /// No wait is longer than this, whatever `Retry-After` says.
    public var maximumDelay: Double

    public init(maximumRetries: Int = 3, baseDelay: Double = 1, maximumDelay: Double = 30) {
        self.maximumRetries = maximumRetries
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// Never retries.
    public static let none = RetryPolicy(maximumRetries: 0)

    /// The wait in seconds before retry number `retriesSoFar + 1`, or nil to give up.
    /// `jitter` is a random number in 0..<1 (a parameter so tests are deterministic).
    public func delay(status: Int, retriesSoFar: Int, retryAfter: String?, isIdempotent: Bool,
                      jitter: Double = Double.random(in: 0..<1), now: Date = Date()) -> Double? {
        guard retriesSoFar < maximumRetries else { return nil }
        switch status {
        case 429:
            if let seconds = retryAfter.flatMap({ Self.parseRetryAfter($0, now: now) }) {
                return min(max(0, seconds), maximumDelay)
            }
            return backoff(retriesSoFar, jitter: jitter)
        case 500, 502, 503, 504:
            return isIdempotent ? backoff(retriesSoFar, jitter: jitter) : nil
        default:
            return nil
        }
    }

    /// Exponential back-off with "equal jitter": half fixed, half random.
    public func backoff(_ retriesSoFar: Int, jitter: Double) -> Double {
        let full = min(maximumDelay, baseDelay * pow(2, Double(min(retriesSoFar, 30))))
        return full / 2 + full / 2 * min(max(jitter, 0), 1)
    }

    /// `Retry-After` as seconds: a whole number, or an HTTP date. Nil when unreadable.
    public static func parseRetryAfter(_ text: String, now: Date = Date()) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return Double(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
