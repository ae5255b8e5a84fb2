import Foundation
import Testing

/// Every listening-mode command through the built `particlectl`, against `particlectl-sim device` on a real pty.
@Suite("particlectl serial commands against the simulated device")
struct SerialCommandsTests {
    static let code = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+"
    static let password = "correct-horse-battery"

    func json(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }

    @Test func identifyPrintsTheDeviceID() async throws {
        let sim = try await SimulatedDeviceProcess(["--id", "E00FCE68A1B2C3D4E5F60718"])
        defer { sim.stop() }
        let human = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port])
        #expect(human.status == 0)
        #expect(human.stdout == "Device ID: e00fce68a1b2c3d4e5f60718\n")
        let machine = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--json"])
        #expect(machine.stdout == #"{"id":"e00fce68a1b2c3d4e5f60718"}"# + "\n")
        let alias = try await ToolRunner.particlectl(["identify", "--port", sim.port, "--json"])
        #expect(alias.status == 0)
        #expect(alias.stdout == machine.stdout)
    }

    @Test func identifyOnACellularDeviceAddsIMEIAndICCID() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "electron"])
        defer { sim.stop() }
        let machine = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--json"])
        #expect(machine.status == 0)
        #expect(machine.stdout == #"{"iccid":"89014103000000000000","id":"0123456789abcdef01234567","imei":"352753090000000"}"# + "\n")
        let human = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port])
        #expect(human.stdout == "Device ID: 0123456789abcdef01234567\nIMEI: 352753090000000\nICCID: 89014103000000000000\n")
    }

    @Test func macVersionAndClaimed() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--mac", "E8:31:CD:00:11:22", "--os-version", "5.8.2", "--claimed"])
        defer { sim.stop() }
        let mac = try await ToolRunner.particlectl(["serial", "mac", "--port", sim.port, "--json"])
        #expect(mac.stdout == #"{"mac":"e8:31:cd:00:11:22"}"# + "\n")
        let version = try await ToolRunner.particlectl(["serial", "version", "--port", sim.port, "--json"])
        #expect(version.stdout == #"{"version":"5.8.2"}"# + "\n")
        let claimed = try await ToolRunner.particlectl(["serial", "claimed", "--port", sim.port, "--json"])
        #expect(claimed.stdout == #"{"claimed":true}"# + "\n")
        let human = try await ToolRunner.particlectl(["serial", "claimed", "--port", sim.port])
        #expect(human.stdout == "Claimed: yes\n")
    }

    @Test func inspectSpellsOutTheModules() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "p2", "--os-version", "5.9.0"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "inspect", "--port", sim.port, "--json"])
        #expect(result.status == 0)
        let object = try json(result.stdout)
        #expect(object["platform"] as? String == "p2")
        #expect(object["platform_id"] as? Int == 32)
        let modules = object["modules"] as? [[String: Any]] ?? []
        #expect(modules.map { $0["function"] as? String } == ["bootloader", "system", "user"])
        #expect(modules[1]["version"] as? Int == 50900)
        let human = try await ToolRunner.particlectl(["serial", "inspect", "--port", sim.port])
        #expect(human.stdout.contains("Platform: p2 (32)"))
        #expect(human.stdout.contains("system module #1 - version 50900"))
    }

    @Test func claimWritesTheCodeAndTheDeviceConfirmsIt() async throws {
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "claim", "--port", sim.port, "--code", Self.code, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == #"{"claim_code_set":true,"port":"\#(sim.port)"}"# + "\n")
        #expect(await sim.waitForEvent(containing: "claim-code-set claim_code=\(Self.code)"))
    }

    @Test func aClaimCodeOfTheWrongLengthIsRefusedBeforeAnythingIsSent() async throws {
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "claim", "--port", sim.port, "--code", "tooshort"])
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: a claim code is 63 characters long; this one has 8\n")
        #expect(sim.events.isEmpty)
    }

    @Test func wifiWithAPasswordOnStdinOnAnUnseenNetwork() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "photon"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin", "--verbose", "--json"],
            stdin: Self.password + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"port":"\#(sim.port)","saved":true,"ssid":"Bench"}"# + "\n")
        // The transcript shows the dialogue, but never the password (the device echoes it in clear).
        #expect(result.stderr.contains("Password: "))
        #expect(!result.stdout.contains(Self.password) && !result.stderr.contains(Self.password))
        #expect(!result.stderr.contains("correct-horse"))
        #expect(await sim.waitForEvent(containing: "wifi-saved password_length=\(Self.password.utf8.count) security=wpa2 ssid=Bench"))
        #expect(await sim.waitForEvent(containing: "left-listening-mode"))
        #expect(!sim.output.contents.0.contains(Self.password))
    }

    @Test func wifiOnAVisibleNetworkAnswersOnlyWhatIsAsked() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--ssid-visible", "Bench:wpa2:aes"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--password-stdin", "--verbose"], stdin: Self.password)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Security"))
        #expect(result.stdout == "Wi-Fi credentials for \"Bench\" saved on \(sim.port); the device is connecting.\n")
        #expect(!result.stderr.contains(Self.password))
    }

    @Test func wifiWithoutSecurityForAnUnseenNetworkSaysWhatIsMissing() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--password-stdin"], stdin: Self.password)
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: the device on \(sim.port) asks for the security type, but none was given — pass --security; the dialogue was closed without saving anything\n")
    }

    @Test func wifiSaveFailureIsARemoteError() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "photon", "--fault", "save-failure"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin"], stdin: Self.password)
        #expect(result.status == 1)
        #expect(result.stderr.contains("could not save the credentials"))
        #expect(!result.stderr.contains(Self.password))
    }

    @Test func wifiOnACellularDeviceIsExplained() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "boron"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin", "--timeout", "0.5"],
            stdin: Self.password)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no Wi-Fi setup console"))
    }

    @Test func wifiNeedsAnSSIDWhenNotOnATerminal() async throws {
        let result = try await ToolRunner.particlectl(["serial", "wifi", "--port", "/dev/null", "--password-stdin"], stdin: "x")
        #expect(result.status == 2)
        #expect(result.stderr.contains("--ssid"))
    }

    @Test func listenWakesADeviceRunningItsApplication() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--os-version", "5.9.0", "--fault", "app-running"])
        defer { sim.stop() }
        let before = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--timeout", "0.5"])
        #expect(before.status == 4)
        let result = try await ToolRunner.particlectl(["serial", "listen", "--port", sim.port, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"id":"0123456789abcdef01234567","listening":true,"port":"\#(sim.port)"}"# + "\n")
        #expect(await sim.waitForEvent(containing: "event: listening"))
    }

    @Test func listenOnDeviceOS6TellsTheUserToHoldSetup() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "p2", "--os-version", "6.2.0", "--fault", "app-running"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "listen", "--port", sim.port, "--timeout", "1"])
        #expect(result.status == 4)
        #expect(result.stderr == "particlectl: the device on \(sim.port) did not enter listening mode within 1s — Device OS 6 has no serial trigger and Protected devices never answer: hold SETUP until the LED blinks dark blue\n")
    }

    @Test func dfuResetsTheDevice() async throws {
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "dfu", "--port", sim.port, "--no-wait", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"confirmed":false,"port":"\#(sim.port)","serial_number":null}"# + "\n")
        #expect(await sim.waitForEvent(containing: "event: dfu"))
        #expect(await sim.waitForExit())
    }

    @Test func dfuSaysSoWhenTheDeviceDoesNotComeBackInDFUMode() async throws {
        // A pty has no USB side: the hot-plug monitor never sees a DFU device, so the confirmation must fail clearly.
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "dfu", "--port", sim.port, "--timeout", "1"])
        #expect(result.status == 4)
        #expect(result.stderr == "particlectl: the device on \(sim.port) did not re-appear in DFU mode within 1s — hold MODE and tap RESET, release MODE when the LED blinks yellow\n")
        #expect(await sim.waitForEvent(containing: "event: dfu"))
    }

    @Test func exitLeavesListeningMode() async throws {
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "exit", "--port", sim.port])
        #expect(result.status == 0)
        #expect(await sim.waitForEvent(containing: "left-listening-mode"))
        let after = try await ToolRunner.particlectl(["serial", "identify", "--port", sim.port, "--timeout", "0.5"])
        #expect(after.status == 4)
    }

    @Test func monitorCopiesTheApplicationsOutput() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(["serial", "monitor", "--port", sim.port, "--timeout", "1.2"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("app: loop "))
        let json = try await ToolRunner.particlectl(["serial", "monitor", "--port", sim.port, "--timeout", "1.2", "--json", "--timestamps"])
        let first = try self.json(json.stdout)
        #expect((first["line"] as? String)?.hasPrefix("app: loop ") == true)
        #expect(first["time"] is String)
    }

    @Test func monitorWritesToAFile() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        defer { sim.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ToolRunner.particlectl(["serial", "monitor", "--port", sim.port, "--timeout", "1", "--output", file.path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(try String(contentsOf: file, encoding: .utf8).contains("app: loop "))
    }

    /// Starts `particlectl monitor …` in the background and waits until it has copied some application output,
    /// i.e. until it certainly holds the port.
    func startMonitor(_ arguments: [String]) async throws -> (Process, OutputCollector) {
        let monitor = Process()
        monitor.executableURL = URL(fileURLWithPath: ToolRunner.particlectl)
        monitor.arguments = ["serial", "monitor"] + arguments
        let out = Pipe(), err = Pipe()
        monitor.standardOutput = out
        monitor.standardError = err
        let collected = OutputCollector()
        collected.collect(out.fileHandleForReading, to: .out)
        collected.collect(err.fileHandleForReading, to: .err)
        try monitor.run()
        await eventually(within: 15) { collected.contents.0.contains("app: loop") || monitor.exitSeen != nil }
        return (monitor, collected)
    }

    @Test func monitorWithFollowKeepsWaitingForTheDevice() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        // Monitor a stable name (as udev gives real devices), so that the pty number freed when the simulator stops
        // (and reused by other tests' simulators) is never touched.
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("ttyFollow-\(UUID().uuidString)").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: sim.port)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let (monitor, output) = try await startMonitor(["--port", link, "--follow"])
        #expect(output.contents.0.contains("app: loop "))
        try FileManager.default.removeItem(atPath: link)
        sim.stop()
        // It keeps waiting for the device; an interrupt ends it cleanly.
        await eventually(within: 10) { output.contents.1.contains("Waiting") }
        #expect(monitor.exitSeen == nil)
        kill(monitor.processIdentifier, SIGINT)
        #expect(await monitor.finish(within: 5) == .exited(0))
        #expect(output.contents.1 == "Serial connection closed. Waiting for \(link) to come back…\n")
    }

    @Test func monitorReportsTheDeviceGoingAway() async throws {
        let sim = try await SimulatedDeviceProcess(["--fault", "app-running"])
        let (monitor, output) = try await startMonitor(["--port", sim.port])
        #expect(output.contents.0.contains("app: loop "))
        sim.stop()
        #expect(await monitor.finish(within: 5) == .exited(0))
        #expect(output.contents.1 == "Serial connection closed.\n")
    }
}
