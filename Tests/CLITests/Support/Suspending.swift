import Foundation
import Glibc

// Waiting in tests without blocking a cooperative thread, and without trusting Foundation's `Process` to report a
// child's exit.
//
// Every test of the process shares Swift's cooperative pool (two threads on a two-core machine): a test that waits
// with usleep holds one of them, and two such tests at once stall every other test for as long as they wait.
// Foundation's `Process` has been seen, in a loaded `make test`, never to report the exit of a child that had
// ended (`isRunning` stayed true, `waitUntilExit` never returned): so a child's end is also read from /proc.

/// Polls `condition` every 10 ms, suspending in between, until it holds or `seconds` have passed; whether it held.
/// The condition is checked once more at the deadline: a test resumed late still sees what happened meanwhile.
@discardableResult
func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < deadline else { return condition() }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return true
}

/// How a child process ended: its exit status, or the signal that killed it (as Foundation reports them).
struct ChildExit: Equatable, Sendable, CustomStringConvertible {
    var reason: Process.TerminationReason
    var status: Int32

    static func exited(_ status: Int32) -> ChildExit { ChildExit(reason: .exit, status: status) }
    static func killed(by signal: Int32) -> ChildExit { ChildExit(reason: .uncaughtSignal, status: signal) }

    var description: String { reason == .exit ? "exit \(status)" : "signal \(status)" }

    /// The end of a child that has ended but was not reaped yet (a zombie), from the `exit_code` field (the 52nd) of
    /// /proc/PID/stat, which holds the status as waitpid would return it. nil while it runs, or once it is reaped.
    static func unreaped(_ pid: Int32) -> ChildExit? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is the 3rd field of the line, exit_code the 52nd.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.first == "Z", fields.count >= 50, let raw = Int32(fields[49].trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return raw & 0x7f == 0 ? .exited((raw >> 8) & 0xff) : .killed(by: raw & 0x7f)
    }
}

extension Process {
    /// How it ended, by Foundation's account or, when Foundation has not noticed, by /proc's; nil while it runs.
    var exitSeen: ChildExit? {
        if !isRunning { return ChildExit(reason: terminationReason, status: terminationStatus) }
        return ChildExit.unreaped(processIdentifier)
    }

    /// Waits (suspending, bounded) for the process to end and returns how it ended; nil if it was still running
    /// after `seconds` (it is then killed with SIGKILL).
    func finish(within seconds: Double) async -> ChildExit? {
        if let ended = await ended(within: seconds) { return ended }
        kill(processIdentifier, SIGKILL)
        await eventually(within: 10) { exitSeen != nil }
        return nil
    }

    /// How it ended, waiting (suspending) up to `seconds`; nil if it still runs. The status is kept from the check
    /// that saw it: read again, it can vanish for a moment — /proc shows the zombie until Foundation reaps it, and
    /// Foundation marks the process ended only after reaping it.
    func ended(within seconds: Double) async -> ChildExit? {
        var seen: ChildExit?
        await eventually(within: seconds) {
            seen = exitSeen
            return seen != nil
        }
        return seen
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace` seconds; how it ended (nil: not even after SIGKILL).
    /// Blocking, for `defer` and `deinit` (a child that handles SIGTERM ends within milliseconds).
    @discardableResult
    func terminate(grace: Double = 3) -> ChildExit? {
        if let ended = exitSeen { return ended }
        kill(processIdentifier, SIGTERM)
        for limit in [grace, 5] {
            let deadline = Date().addingTimeInterval(limit)
            while exitSeen == nil, Date() < deadline { usleep(5_000) }
            if let ended = exitSeen { return ended }
            kill(processIdentifier, SIGKILL)
        }
        return nil
    }
}

/// Polls `condition` every 5 ms on a thread of its own and, the moment it holds, runs `action` on that thread: for a
/// test that must act inside a short window (a signal while the tool waits for the device), which a task resumed
/// late by a busy cooperative pool would miss. Whether the condition held within `seconds` (if not, `action` is not
/// run).
func react(within seconds: Double, when condition: @escaping @Sendable () -> Bool,
           _ action: @escaping @Sendable () -> Void) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let thread = Thread {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition() {
                guard Date() < deadline else {
                    continuation.resume(returning: false)
                    return
                }
                usleep(5_000)
            }
            action()
            continuation.resume(returning: true)
        }
        thread.start()
    }
}
