import Dispatch
import Glibc
import ParticleCore
import Synchronization

/// The signal that arrived last (0: none since `install`); written by the handler (an atomic store is
/// async-signal-safe), read by loops, blocking reads and the watcher of `cancellingOnSignal`.
private let lastSignalNumber = Atomic<Int32>(0)

/// The write end of ``SignalWakePipe`` once made (-1 before): the handler writes a byte there (`write(2)` is
/// async-signal-safe) so that `cancellingOnSignal` sleeps until a signal instead of polling the flag.
private let signalWakeDescriptor = Atomic<Int32>(-1)

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
        action.__sigaction_handler.sa_handler = { number in
            let saved = errno  // the interrupted code may be about to read it
            lastSignalNumber.store(number, ordering: .relaxed)
            let descriptor = signalWakeDescriptor.load(ordering: .relaxed)
            if descriptor >= 0 {
                var byte: UInt8 = 1
                _ = write(descriptor, &byte, 1)
            }
            errno = saved
        }
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
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let wake = SignalWakePipe.shared
        install()
        defer { restoreDefault() }
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                try await wake.untilSignal()
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

/// A pipe the signal handler writes one byte to: `untilSignal()` sleeps on it through a dispatch read source, so a
/// station waiting for hours costs no wake-ups (a 50 ms poll of the flag cost ~0.5% of a core).
final class SignalWakePipe: Sendable {
    static let shared = SignalWakePipe()
    private let readEnd: Int32
    private let queue = DispatchQueue(label: "particlectl.stop-signals")

    private init() {
        if let ends = CancellationSignal.nonBlockingPipe() {
            readEnd = ends.read
            signalWakeDescriptor.store(ends.write, ordering: .relaxed)
        } else {
            readEnd = -1  // no pipe (out of descriptors): `untilSignal` falls back to polling the flag
        }
    }

    /// Returns once SIGINT or SIGTERM has arrived (after `install`); throws `CancellationError` when cancelled first.
    func untilSignal() async throws {
        guard readEnd >= 0 else {
            while !StopSignals.received { try await Task.sleep(for: .milliseconds(50)) }
            return
        }
        let waiter = Waiter()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: queue)
                let descriptor = readEnd
                source.setEventHandler {
                    var bytes = [UInt8](repeating: 0, count: 64)
                    while read(descriptor, &bytes, bytes.count) > 0 {}
                    if StopSignals.received { waiter.finish(nil) }
                }
                waiter.start(continuation, source: source)
                source.resume()
                if StopSignals.received { waiter.finish(nil) }
            }
        } onCancel: {
            waiter.finish(CancellationError())
        }
    }

    /// The one continuation and its source: resumed once, by a signal or by cancellation, whichever comes first.
    /// Its fields are touched only under `lock`.
    private final class Waiter: @unchecked Sendable {
        private let lock = Mutex(())
        private var continuation: CheckedContinuation<Void, any Error>?
        private var source: (any DispatchSourceRead)?
        private var finished: (any Error)??

        func start(_ continuation: CheckedContinuation<Void, any Error>, source: any DispatchSourceRead) {
            let early: (any Error)?? = lock.withLock { _ in
                if let finished { return .some(finished) }
                self.continuation = continuation
                self.source = source
                return nil
            }
            if let early {
                source.cancel()
                if let error = early { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }

        func finish(_ error: (any Error)?) {
            let (continuation, source) = lock.withLock { _ -> (CheckedContinuation<Void, any Error>?, (any DispatchSourceRead)?) in
                guard finished == nil else { return (nil, nil) }
                finished = .some(error)
                defer { self.continuation = nil; self.source = nil }
                return (self.continuation, self.source)
            }
            source?.cancel()
            if let continuation {
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }
}
