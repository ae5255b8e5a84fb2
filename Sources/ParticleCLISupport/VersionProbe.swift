import Glibc
import ParticleCore

/// Runs `executable --version` and returns the first line it prints (nil when it prints nothing or fails), killing
/// it when the deadline passes.
enum VersionProbe {
    static func run(_ executable: String, seconds: Double) throws -> String? {
        let deadline = MonotonicDeadline(seconds: seconds)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw UserError(.io, "cannot check the version of \(executable): \(String(cString: strerror(errno)))")
        }
        defer { close(fds[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(executable), strdup("--version"), nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, arguments, environ)
        close(fds[1])
        guard spawned == 0 else {
            throw UserError(.io, "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while output.count < 4096 {
            var descriptor = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, deadline.remainingMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 {
                kill(pid, SIGKILL)
                _ = reap(pid)
                throw UserError(.timedOut, "\(executable) --version did not answer within \(Int(seconds)) s; reinstall the "
                                + "particlectl executables (make install)")
            }
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        guard reap(pid) == 0 else { return nil }
        let firstLine = String(decoding: output, as: UTF8.self).split(separator: "\n").first ?? ""
        let version = firstLine.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        return version.isEmpty ? nil : String(version)
    }

    /// Waits for the child and returns its exit status (-1 when it did not exit normally).
    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
