import Foundation
import Glibc
import Testing

/// `StopSignals`, the one way the executables hear SIGINT/SIGTERM, seen from outside: each command is started with
/// both signals blocked (as a parent's inherited mask would have them), takes them anyway, and ends cleanly.
@Suite("SIGINT and SIGTERM end waiting commands cleanly")
struct StopSignalsTests {
    /// Starts `executable arguments…` through a Python wrapper that blocks SIGINT and SIGTERM and then execs it (so
    /// the mask is inherited and the pid is the tool's).
    func startBlocked(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                      stdin: String? = nil) throws -> (Process, OutputCollector) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT, signal.SIGTERM])
            os.execv(sys.argv[1], sys.argv[1:])
            """, executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let collected = OutputCollector()
        collected.collect(out.fileHandleForReading, to: .out)
        collected.collect(err.fileHandleForReading, to: .err)
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        return (process, collected)
    }

    /// Waits (bounded) until `condition` holds or the process ended.
    func wait(for process: Process, seconds: Double, until condition: () -> Bool) async {
        await eventually(within: seconds) { condition() || process.exitSeen != nil }
    }

    /// A `Sig…` mask of /proc/PID/status (or of one of its threads).
    static func mask(_ field: String, in status: String) -> UInt64? {
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return UInt64(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16)
        }
        return nil
    }

    static let stopBits: UInt64 = (1 << UInt64(SIGINT - 1)) | (1 << UInt64(SIGTERM - 1))

    /// SIGINT and SIGTERM are caught by a handler (not ignored, not the default), and at least one thread has them
    /// unblocked, so they arrive although the parent blocked them.
    func expectTaken(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(Self.mask("SigCgt", in: status).map { $0 & Self.stopBits } == Self.stopBits, "\(status)")
        #expect(Self.mask("SigIgn", in: status).map { $0 & Self.stopBits } == 0)
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        let unblocked = threads.contains { thread in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8),
                  let blocked = Self.mask("SigBlk", in: text) else { return false }
            return blocked & Self.stopBits == 0
        }
        #expect(unblocked, "every thread still blocks SIGINT/SIGTERM")
    }

    @Test func serialMonitorStartedWithTheSignalsBlockedEndsCleanlyOnSIGINT() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        defer { sim.stop() }
        let (monitor, output) = try startBlocked(ToolRunner.particlectl, ["serial", "monitor", "--port", sim.port])
        await wait(for: monitor, seconds: 15) { output.contents.0.contains("app: loop") }
        #expect(monitor.exitSeen == nil)
        try expectTaken(pid: monitor.processIdentifier)
        kill(monitor.processIdentifier, SIGINT)
        #expect(await monitor.finish(within: 5) == .exited(0))
        #expect(await output.closed(within: 10))
        #expect(output.contents.1.isEmpty, "stderr: \(output.contents.1)")
    }

    @Test func theSimulatedDeviceStartedWithTheSignalsBlockedEndsCleanlyOnSIGTERM() async throws {
        let (sim, output) = try startBlocked(ToolRunner.particlectlSim, ["device"])
        await wait(for: sim, seconds: 10) { output.contents.0.contains("\n") }
        #expect(output.contents.0.hasPrefix("port: /dev/pts/"))
        try expectTaken(pid: sim.processIdentifier)
        kill(sim.processIdentifier, SIGTERM)
        #expect(await sim.finish(within: 5) == .exited(0))
    }

    /// `provision` waits in the library (`StopSignals.cancellingOnSignal`): SIGTERM cancels the run, which still
    /// reports what it got done, and the exit code is 128 + 15.
    @Test func provisionStartedWithTheSignalsBlockedStopsOnSIGTERMAndSaysWhereItStopped() async throws {
        let world = try await SimulatedWorldFixture()
        let (process, output) = try startBlocked(
            ToolRunner.particlectl,
            ["provision", "--port", world.serialPort, "--ssid", "HomeNet", "--password-stdin", "--online-timeout", "60"],
            environment: world.environment, stdin: "not the password\n")
        await wait(for: process, seconds: 30) { output.contents.1.contains("✓ connect") }
        #expect(process.exitSeen == nil, "stderr: \(output.contents.1)")
        try expectTaken(pid: process.processIdentifier)
        kill(process.processIdentifier, SIGTERM)
        let ended = await process.finish(within: 15)
        #expect(await output.closed(within: 10))
        let stderr = output.contents.1
        #expect(ended == .exited(143), "stderr: \(stderr)")
        #expect(stderr.contains("failed at wait-online (interrupted)"), "stderr: \(stderr)")
    }
}
