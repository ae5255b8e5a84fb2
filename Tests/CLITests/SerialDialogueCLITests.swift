import Foundation
import Glibc
import Testing

/// Issue 9 item 2 and issue 11 item 6 through the CLI: a dialogue that cannot finish is closed without saving, a
/// device left at a prompt is recognised and recovered, and a device slow to answer `w` is never typed into.
@Suite("particlectl serial: unfinished dialogues")
struct SerialDialogueCLITests {
    @Test func aValueTheDeviceAsksForAndNobodyGaveClosesTheDialogue() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "photon"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--password-stdin"], stdin: "correct horse\n")
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: the device on \(sim.port) asks for the security type, but none was given — pass --security; the dialogue was closed without saving anything\n")
        #expect(await sim.waitForEvent(containing: "wifi-refused ssid=Bench"))
        #expect(!sim.events.contains { $0.contains("wifi-saved") })
        // Back at the idle console: the next command works.
        let identify = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--json"])
        #expect(identify.status == 0, "\(identify.stderr)")
    }

    @Test func sigtermInTheMiddleOfTheDialogueClosesItFirst() async throws {
        // The scan after SSID takes 3 s: the signal arrives while the client waits for the next prompt.
        let sim = try await SimulatedDeviceProcess(["--platform", "photon", "--scan-ms", "3000"])
        defer { sim.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectl)
        process.arguments = ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2",
                             "--password-stdin", "--verbose"]
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        let output = OutputCollector()
        output.collect(out.fileHandleForReading, to: .out)
        output.collect(err.fileHandleForReading, to: .err)
        try process.run()
        defer { if process.exitSeen == nil { kill(process.processIdentifier, SIGKILL) } }
        input.fileHandleForWriting.write(Data("correct horse\n".utf8))
        try? input.fileHandleForWriting.close()
        // SIGTERM the moment the SSID is sent (from a thread of its own: a busy test run must not miss the window).
        let pid = process.processIdentifier
        let signalled = await react(within: 30, when: { output.contents.1.contains(">> Bench\\n") }) { kill(pid, SIGTERM) }
        try #require(signalled, "\(output.contents.1)")
        #expect(await process.finish(within: 10) == .exited(2))
        #expect(await output.closed(within: 10))
        #expect(output.contents.1.hasSuffix("particlectl: interrupted during the dialogue with the device on \(sim.port); the dialogue was closed without saving anything\n"), "\(output.contents.1)")
        #expect(!output.contents.1.contains("correct horse"))
        #expect(await sim.waitForEvent(containing: "wifi-refused ssid=Bench"))
        #expect(!sim.events.contains { $0.contains("wifi-saved") })
    }

    @Test func identifyNamesADeviceLeftAtAPromptAndCloseDialogueRecoversIt() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        // Somebody sent `w` and went away: the device waits at `SSID: `.
        let fd = open(sim.port, O_RDWR | O_NOCTTY)
        try #require(fd >= 0)
        _ = write(fd, "w", 1)
        try await Task.sleep(nanoseconds: 100_000_000)
        close(fd)

        let stuck = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--timeout", "0.5"])
        #expect(stuck.status == 1)
        #expect(stuck.stderr == "particlectl: the device on \(sim.port) is waiting at a prompt of an unfinished dialogue (it echoed the command instead of answering) — run `particlectl serial close-dialogue --port \(sim.port)`, then retry\n")

        let closed = try await ToolRunner.particlectl(["serial", "close-dialogue", "--port", sim.port, "--json"])
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(closed.stdout == #"{"closed":true,"port":"\#(sim.port)"}"# + "\n")
        #expect(await sim.waitForEvent(containing: "wifi-refused ssid=particlectl-closed"))

        let identify = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--json"])
        #expect(identify.status == 0, "\(identify.stderr)")
        #expect(!sim.events.contains { $0.contains("wifi-saved") })
    }

    @Test func aDeviceSlowToAnswerWTakesTheTimeoutOnceAndIsNotTypedInto() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--fault", "slow-wifi"])
        defer { sim.stop() }
        let start = Date()
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin", "--timeout", "0.6"],
            stdin: "correct horse\n")
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 4)
        #expect(result.stderr == "particlectl: the device on \(sim.port) answers but did not ask for the SSID within 0.6s after `w` — it has no Wi-Fi setup console (a cellular device?) or is slow: retry with a longer --timeout; if it asks later, `particlectl serial close-dialogue --port \(sim.port)` ends that dialogue\n")
        #expect(elapsed < 1.15, "took \(elapsed) s (twice the timeout would be 1.2 s)")
        // The late SSID prompt got nothing: closing it finds an empty line and ends with the placeholder network.
        let closed = try await ToolRunner.particlectl(["serial", "close-dialogue", "--port", sim.port])
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(await sim.waitForEvent(containing: "wifi-refused ssid=particlectl-closed"))
    }
}
