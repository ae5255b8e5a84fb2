import Glibc

/// A thread of its own for blocking I/O (serial ports, libudev, poll), so that no blocking call ever runs on Swift's
/// cooperative thread pool — which has only as many threads as cores (two on a small station PC) and would starve
/// with a handful of devices waiting on their replies.
///
/// The choice is **one thread per open device**: a device's dialogue is strictly sequential, so a serial executor per
/// device is the natural shape (an `actor` whose `unownedExecutor` is the thread runs every method there), 16–64
/// devices cost 16–64 mostly-sleeping threads (a few hundred kilobytes of stack each), and one slow device can never
/// delay another, which a small shared pool could. One-off blocking calls (a udev scan, a line-speed signal) use
/// `IOThread.run`, which starts a short-lived thread for the call.
///
/// A thread runs jobs in the order they arrive until `shutdown()`; it then finishes the queued jobs and exits.
public final class IOThread: SerialExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case block(() -> Void)
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`.
    private var queue: [Work] = []
    private var stopping = false
    /// The thread has exited (or could not be started): work submitted now runs on the submitter's thread.
    private var exited = false
    private var threadID: pthread_t?

    /// Starts the thread. `name` says what it is for (kept for debugging).
    public init(name: String = "particle-io") {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)

        // The thread keeps the executor alive until it has drained its queue after `shutdown()`.
        let context = Unmanaged.passRetained(StartContext(thread: self, name: name)).toOpaque()
        var handle = pthread_t()
        let started = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let context = Unmanaged<StartContext>.fromOpaque(raw).takeRetainedValue()
            context.thread.loop()
            return nil
        }, context)
        if started == 0 {
            pthread_detach(handle)
        } else {
            // No thread could be made (resource limits): run jobs inline in `enqueue` rather than never.
            Unmanaged<StartContext>.fromOpaque(context).release()
            stopping = true
            exited = true
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    private final class StartContext {
        let thread: IOThread
        let name: String
        init(thread: IOThread, name: String) {
            self.thread = thread
            self.name = name
        }
    }

    // MARK: - SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isCurrent, "expected to run on this IOThread")
    }

    /// True on the thread itself.
    public var isCurrent: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Lets the thread end once its queue is empty. Jobs enqueued afterwards still run (on the caller's thread).
    public func shutdown() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    // MARK: - One-off blocking calls

    /// Runs `body` on a new thread of its own and returns its result, without occupying a cooperative thread while it
    /// blocks. Cancellation is the body's business (pass it a `CancellationSignal`).
    public static func run<T: Sendable, E: Error>(name: String = "particle-io",
                                                   _ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let thread = IOThread(name: name)
        defer { thread.shutdown() }
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            thread.submit(.block {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            })
        }
        return try result.get()
    }

    // MARK: - Private

    private func submit(_ work: Work) {
        pthread_mutex_lock(mutex)
        if exited {
            pthread_mutex_unlock(mutex)
            perform(work)
            return
        }
        queue.append(work)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    private func perform(_ work: Work) {
        switch work {
        case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
        case .block(let body): body()
        }
    }

    private func loop() {
        pthread_mutex_lock(mutex)
        threadID = pthread_self()
        while true {
            while queue.isEmpty && !stopping { pthread_cond_wait(condition, mutex) }
            if queue.isEmpty {
                threadID = nil
                exited = true
                pthread_mutex_unlock(mutex)
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            pthread_mutex_unlock(mutex)
            for work in batch { perform(work) }
            pthread_mutex_lock(mutex)
        }
    }
}
