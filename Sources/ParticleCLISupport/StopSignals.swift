import Glibc
import Synchronization

/// The signal that arrived last (0: none since `install`); written by the handler (an atomic store is
/// async-signal-safe), read by loops, blocking reads and the watcher of `cancellingOnSignal`.
private let lastSignalNumber = Atomic<Int32>(0)

/// How every command of the three executables that waits for SIGINT/SIGTERM hears of them: one handler, one flag.
///
/// `install()` makes SIGINT and SIGTERM set a flag instead of ending the process, and unblocks them (a parent may
/// have started us with them blocked — the mask is inherited — and a blocked signal would never arrive). The
/// handler is installed without `SA_RESTART`, so a blocking `read(2)` on the thread that takes the signal returns
/// EINTR and its caller can look at `received`. Then:
/// - a loop or a blocking read polls `received` (serial wifi, serial monitor, the simulators, stdin reads);
/// - async work runs inside `cancellingOnSignal`, which cancels it when a signal arrives and puts the signals back
///   to their default action when it returns (provision, station run);
/// - a prompt that cancellation cannot reach runs inside `withDefaultHandling`, so Ctrl-C there ends the process
///   as it always does.
public struct StopSignals: Sendable {
    /// The signals taken.
    public static let numbers: [Int32] = [SIGINT, SIGTERM]

    /// Installs the handler (see the type's documentation). Kept as a value so that `let signals = StopSignals()`
    /// reads as what it does.
    public init() { Self.install() }

    /// Takes SIGINT and SIGTERM from now on (idempotent) and unblocks them for the calling thread.
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in lastSignalNumber.store(number, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for number in numbers { sigaction(number, &action, nil) }
        unblock()
    }

    /// Gives SIGINT and SIGTERM their default action back (the process ends on them); `last` still says what
    /// arrived before.
    public static func restoreDefault() {
        for number in numbers { signal(number, SIG_DFL) }
    }

    /// True once SIGINT or SIGTERM arrived (after `install`).
    public static var received: Bool { lastSignalNumber.load(ordering: .relaxed) != 0 }

    public var received: Bool { Self.received }

    /// The signal that arrived last, if any (a command interrupted by it exits 128 + its number).
    public static var last: Int32? {
        let number = lastSignalNumber.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// Runs `body` with SIGINT and SIGTERM taken: when one arrives, `body` is cancelled (and ends as its
    /// cancellation makes it end: its value or its error is this function's). Afterwards the signals have their
    /// default action again. `last` says which signal it was.
    public static func cancellingOnSignal<T: Sendable>(
        checkEvery milliseconds: Int = 50,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        install()
        defer { restoreDefault() }
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                while !received { try await Task.sleep(for: .milliseconds(milliseconds)) }
                return .signalled
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .finished(let value):
                    group.cancelAll()
                    return value
                case .signalled:
                    group.cancelAll()
                }
            }
            // Not reached: `body`'s task always ends with a value or an error.
            throw CancellationError()
        }
    }

    /// Runs `body` (a blocking prompt, which cancellation cannot reach) with the signals' default action: Ctrl-C
    /// at a prompt ends the process. Whatever handling was there before is put back afterwards.
    public static func withDefaultHandling<T>(_ body: () throws -> T) rethrows -> T {
        var standard = sigaction()
        standard.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&standard.sa_mask)
        var previous: [(Int32, sigaction)] = []
        for number in numbers {
            var old = sigaction()
            sigaction(number, &standard, &old)
            previous.append((number, old))
        }
        defer {
            for (number, old) in previous {
                var action = old
                sigaction(number, &action, nil)
            }
        }
        return try body()
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case signalled
    }

    private static func unblock() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
