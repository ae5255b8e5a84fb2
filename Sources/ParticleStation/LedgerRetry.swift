import Foundation
import ParticleLedger

/// How a slot rides out the ledger's database going away (a PostgreSQL server restarting, the network cut): a write
/// that failed transiently (``LedgerError/isTransient``) is tried again after a back-off that doubles from `first` up
/// to `longest`, until `budget` seconds have passed since the first failure; then the error comes out (the station
/// stops taking devices). Each write is one transaction and idempotent, so a retry records nothing twice.
public struct LedgerRetry: Sendable, Equatable {
    public var budget: Double
    public var first: Double
    public var longest: Double

    public init(budget: Double = 60, first: Double = 0.25, longest: Double = 4) {
        self.budget = budget
        self.first = first
        self.longest = longest
    }

    /// Runs `body` until it succeeds, throws a non-transient error, or the budget is spent. `retrying` is told each
    /// failure before the wait (try number, seconds since the first failure, the error); `recovered` the seconds it
    /// took once a retried write went through.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T,
                          retrying: (Int, Double, LedgerError) -> Void,
                          recovered: (Double) -> Void) async throws -> T {
        var delay = first
        var tries = 0
        var firstFailure: ContinuousClock.Instant?
        while true {
            do {
                let value = try await body()
                if let firstFailure { recovered(Self.seconds(since: firstFailure)) }
                return value
            } catch let error as LedgerError where error.isTransient {
                let started = firstFailure ?? .now
                firstFailure = started
                let waited = Self.seconds(since: started)
                guard waited + delay <= budget else { throw error }
                tries += 1
                retrying(tries, waited, error)
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, longest)
            }
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
