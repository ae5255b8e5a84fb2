import Glibc
import Synchronization

/// Set by the SIGINT/SIGTERM handler, read by loops and blocking reads that must end cleanly (close a port, close
/// a device's dialogue) instead of dying mid-way.
private let stopFlag = Atomic<Bool>(false)

/// SIGINT and SIGTERM set a flag instead of ending the process. The handler is installed without `SA_RESTART`, so
/// a blocking `read(2)` returns EINTR and its caller can look at `received`.
public struct StopSignals: Sendable {
    public init() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in stopFlag.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have started us with these signals blocked (the mask is inherited): take them back.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// True once SIGINT or SIGTERM arrived (after `init`).
    public static var received: Bool { stopFlag.load(ordering: .relaxed) }

    public var received: Bool { Self.received }
}
