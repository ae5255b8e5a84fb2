import Foundation
import Glibc
import ParticleCore

/// What a hook did: its exit status, or why it has none.
public struct HookResult: Sendable, Equatable {
    /// nil when it did not start or was killed at its deadline.
    public var exitCode: Int32?
    public var seconds: Double
    /// nil when it exited 0.
    public var error: String?
}

/// Runs a profile hook (`on_done`, `on_failed`): `/bin/sh -c COMMAND` in a process group of its own, the device's
/// ledger record as JSON on stdin, stdout discarded, the last line of stderr kept for the ledger. Killed (the whole
/// group) at the deadline. A hook's failure is recorded, never thrown: a label printer must not stop the line.
public struct HookRunner: Sendable {
    public var timeout: Double
    /// Extra environment (PARTICLE_DEVICE_ID, PARTICLE_STATION_STATUS …) on top of the station's own.
    public var environment: [String: String]

    public init(timeout: Double, environment: [String: String] = [:]) {
        self.timeout = timeout
        self.environment = environment
    }

    public func run(_ command: String, input: [UInt8]) async -> HookResult {
        let timeout = self.timeout
        let environment = ProcessInfo.processInfo.environment.merging(self.environment) { _, new in new }
        return await IOThread.run(name: "station-hook") { () -> HookResult in
            Self.runBlocking(command, input: input, environment: environment, timeout: timeout)
        }
    }

    private static func runBlocking(_ command: String, input: [UInt8], environment: [String: String],
                                    timeout: Double) -> HookResult {
        // A hook that exits without reading its stdin must not kill the station with SIGPIPE: blocked on this thread
        // (its own, ended after the hook), the write fails with EPIPE instead.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        let started = MonotonicDeadline.now()
        func elapsed() -> Double { Double(MonotonicDeadline.now() - started) / 1000 }
        var stdinPipe: [Int32] = [0, 0]
        var stderrPipe: [Int32] = [0, 0]
        guard pipe(&stdinPipe) == 0 else { return failure("cannot create a pipe: \(errnoText())", 0) }
        guard pipe(&stderrPipe) == 0 else {
            close(stdinPipe[0]); close(stdinPipe[1])
            return failure("cannot create a pipe: \(errnoText())", 0)
        }
        for fd in stdinPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], STDIN_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], STDERR_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let arguments = ["/bin/sh", "-c", command]
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(arguments) { argv in
            withCStrings(environmentLines) { envp in
                posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
            }
        }
        close(stdinPipe[0])
        close(stderrPipe[1])
        defer { close(stderrPipe[0]) }
        guard spawned == 0 else {
            close(stdinPipe[1])
            return failure("cannot start /bin/sh: \(String(cString: strerror(spawned)))", elapsed())
        }

        // Feed stdin and drain stderr until the input is written and the hook exited, or the deadline.
        // Both ends non-blocking: the loop below must never wait anywhere but in poll, or the deadline would not hold.
        _ = fcntl(stdinPipe[1], F_SETFL, fcntl(stdinPipe[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(stderrPipe[0], F_SETFL, fcntl(stderrPipe[0], F_GETFL) | O_NONBLOCK)
        var writer: Int32? = stdinPipe[1]
        if input.isEmpty { close(stdinPipe[1]); writer = nil }
        var written = 0
        var stderrTail: [UInt8] = []
        var stderrOpen = true
        var status: Int32 = 0
        let deadline = MonotonicDeadline(seconds: timeout)
        while true {
            var entries: [pollfd] = []
            if let writer { entries.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
            if stderrOpen { entries.append(pollfd(fd: stderrPipe[0], events: Int16(POLLIN), revents: 0)) }
            _ = poll(&entries, nfds_t(entries.count), Int32(min(50, max(0, deadline.remainingMilliseconds))))
            if let fd = writer {
                let count = input[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if count > 0 { written += count }
                if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                    close(fd)
                    writer = nil
                }
            }
            if stderrOpen {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { read(stderrPipe[0], $0.baseAddress, $0.count) }
                if count > 0 {
                    stderrTail = Array((stderrTail + chunk.prefix(count)).suffix(2048))
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    stderrOpen = false
                }
            }
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                if let writer { close(writer) }
                return finished(status: status, stderr: stderrTail, seconds: elapsed())
            }
            if deadline.remainingMilliseconds <= 0 {
                if let writer { close(writer) }
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return HookResult(exitCode: nil, seconds: elapsed(),
                                  error: "did not finish within \(Seconds(clamping: timeout)) s; killed")
            }
        }
    }

    private static func finished(status: Int32, stderr: [UInt8], seconds: Double) -> HookResult {
        let lastLine = String(decoding: stderr, as: UTF8.self)
            .split(whereSeparator: \.isNewline).last.map { UntrustedText.escaped(String($0)) }
        if status & 0x7f == 0 {
            let code = (status >> 8) & 0xff
            if code == 0 { return HookResult(exitCode: 0, seconds: seconds, error: nil) }
            return HookResult(exitCode: code, seconds: seconds,
                              error: "exited with status \(code)" + (lastLine.map { ": \($0)" } ?? ""))
        }
        return HookResult(exitCode: nil, seconds: seconds, error: "killed by signal \(status & 0x7f)")
    }

    private static func failure(_ reason: String, _ seconds: Double) -> HookResult {
        HookResult(exitCode: nil, seconds: seconds, error: reason)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}
