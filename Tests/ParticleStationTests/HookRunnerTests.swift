import Foundation
import Testing
@testable import ParticleStation

/// Hooks run through /bin/sh for real: stdin, environment, exit status, stderr, the deadline.
@Suite struct HookRunnerTests {
    @Test func theRecordArrivesOnStdinAndTheEnvironmentIsSet() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let runner = HookRunner(timeout: 10, environment: ["PARTICLE_DEVICE_ID": "e00fce68a1b2c3d4e5f60718"])
        let result = await runner.run("{ cat; echo \"$PARTICLE_DEVICE_ID\"; } > '\(out)'", input: Array("{\"a\":1}\n".utf8))
        #expect(result == HookResult(exitCode: 0, seconds: result.seconds, error: nil))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "{\"a\":1}\ne00fce68a1b2c3d4e5f60718\n")
    }

    @Test func aFailingHookReportsItsStatusAndLastStderrLine() async {
        let result = await HookRunner(timeout: 10).run("echo first >&2; echo 'printer jammed' >&2; exit 4", input: [])
        #expect(result.exitCode == 4)
        #expect(result.error == "exited with status 4: printer jammed")
    }

    @Test func aHookPastItsDeadlineIsKilledWithItsChildren() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pids = folder.appendingPathComponent("pids").path
        let result = await HookRunner(timeout: 0.5).run("sleep 300 & echo $! > '\(pids)'; echo $$ >> '\(pids)'; wait",
                                                        input: [])
        #expect(result.exitCode == nil)
        #expect(result.error == "did not finish within 0.5 s; killed")
        // The runner's own clock, on its own thread: killed at the deadline. (Wall time around the `await` would
        // also count how long a loaded test run took to resume this test.)
        #expect(result.seconds >= 0.5 && result.seconds < 5)
        // The shell and the child it started in the background are both gone (or zombies awaiting their reaper).
        let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(started.count == 2)
        for pid in started {
            let deadline = Date().addingTimeInterval(10)
            while !Self.isGone(pid), Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(Self.isGone(pid), "process \(pid) of the hook is still running")
        }
    }

    /// No such process, or a zombie (state Z in /proc/PID/stat).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test func aHookThatIgnoresItsStdinDoesNotBlockTheStation() async {
        // More input than a pipe holds, to a hook that never reads it: written as far as possible, then closed.
        let input = [UInt8](repeating: 0x41, count: 1 << 20)
        let result = await HookRunner(timeout: 10).run("exit 0", input: input)
        #expect(result.exitCode == 0)
    }
}
