import Glibc
import Synchronization

/// Wakes a blocking `poll(2)` when a task is cancelled: a self-pipe whose read end blocking waits poll alongside
/// their own descriptor. `fire()` is called from a task cancellation handler (any thread); the waiting thread sees the
/// descriptor readable and gives up with a cancellation error of its own layer.
public final class CancellationSignal: Sendable {
    /// The read end; -1 when no pipe could be made (descriptor limit): then only `isFired` is checked between waits.
    public let fileDescriptor: Int32
    private let writeEnd: Int32
    private let fired = Atomic<Bool>(false)

    public init() {
        let ends = Self.nonBlockingPipe()
        fileDescriptor = ends?.read ?? -1
        writeEnd = ends?.write ?? -1
    }

    /// A pipe whose ends are non-blocking and closed on exec; nil when none could be made (descriptor limit).
    public static func nonBlockingPipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        return (ends[0], ends[1])
    }

    deinit {
        if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
        if writeEnd >= 0 { Glibc.close(writeEnd) }
    }

    /// Marks the signal fired and wakes every poll that includes it. Idempotent.
    public func fire() {
        fired.store(true, ordering: .sequentiallyConsistent)
        if writeEnd >= 0 {
            var one: UInt8 = 1
            _ = Glibc.write(writeEnd, &one, 1)
        }
    }

    public var isFired: Bool { fired.load(ordering: .sequentiallyConsistent) }

    /// A `pollfd` entry for the signal, to append to a poll set (nil without a pipe).
    public var pollEntry: pollfd? {
        fileDescriptor >= 0 ? pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0) : nil
    }
}

