import Foundation
import Testing

/// Every fault of the simulated device ends in the documented exit code and one stderr line that names the port and
/// says what to do; none hangs (each run has a hard deadline).
@Suite("particlectl serial against a misbehaving device")
struct SerialFaultTests {
    @Test(arguments: ["slow", "split", "stray-logs"])
    func recoverableFaultsStillSucceed(fault: String) async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", fault])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"id":"0123456789abcdef01234567"}"# + "\n")
        let code = String(repeating: "c", count: 63)
        let claim = try await ToolRunner.particlectl(["serial", "claim", "--port", sim.port, "--code", code])
        #expect(claim.status == 0, "\(claim.stderr)")
    }

    @Test func aSilentDeviceTimesOutWithAHint() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "silent"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--timeout", "1"])
        #expect(!result.timedOut)
        #expect(result.status == 4)
        #expect(result.stderr == "particlectl: no answer from \(sim.port) within 1s — is the device in listening mode (blinking dark blue)? try `particlectl serial listen`\n")
    }

    @Test(arguments: ["garbage", "app-running"])
    func outputThatIsNotTheConsoleIsNamedAsSuch(fault: String) async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", fault])
        defer { sim.stop() }
        for command in ["identify", "mac", "version", "inspect", "claimed"] {
            let result = try await ToolRunner.particlectl(["serial", command, "--port", sim.port, "--timeout", "0.7"])
            #expect(result.status == 4, "\(command)")
            #expect(result.stderr.hasPrefix("particlectl: \(sim.port) sent output that is not the listening-mode console within 0.7s"), "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func aHangUpMidReplyIsAnIOError() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "hang-up"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port])
        #expect(result.status == 6)
        #expect(result.stderr == "particlectl: \(sim.port) disappeared (device unplugged or reset) — reconnect the device and retry\n")
    }

    @Test func aHangUpMidDialogueIsAnIOError() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--fault", "hang-up"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin"],
            stdin: "correct-horse-battery")
        #expect(result.status == 6)
        #expect(result.stderr.contains("disappeared"))
        #expect(await sim.waitForEvent(containing: "hung-up"))
    }

    @Test func aPortThatDoesNotExistIsNotFound() async throws {
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", "/dev/ttyACM-missing"])
        #expect(result.status == 3)
        #expect(result.stderr == "particlectl: /dev/ttyACM-missing does not exist — is the device plugged in? `particlectl serial list` shows the attached devices\n")
    }

    @Test func aPortThatIsNotATerminalIsRejected() async throws {
        let result = try await ToolRunner.particlectl(["serial", "mac", "--port", "/dev/null"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/dev/null is not a serial port"))
    }

    @Test func aPortInUseIsBusy() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        defer { sim.stop() }
        // A monitor holds the port (exclusively) while identify tries it. It holds it once it prints the
        // application's output.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: ToolRunner.particlectl)
        // Long enough to outlast a wait for a free process slot in a loaded run (it is killed at the end).
        holder.arguments = ["serial", "monitor", "--port", sim.port, "--timeout", "3600"]
        let pipe = Pipe()
        holder.standardOutput = pipe
        let seen = OutputCollector()
        seen.collect(pipe.fileHandleForReading, to: .out)
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL); holder.terminate() }
        await eventually(within: 15) { seen.contents.0.contains("app: loop") }
        try #require(seen.contents.0.contains("app: loop"))
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--timeout", "0.3"])
        #expect(result.status == 6)
        #expect(result.stderr == "particlectl: \(sim.port) is in use by another program (another particlectl, a serial monitor or ModemManager) — close it and retry\n")
    }

    @Test func badTimeoutIsAUsageError() async throws {
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", "/dev/null", "--timeout", "0"])
        #expect(result.status == 2)
    }
}
