import Foundation
import Testing

/// `particlectl provision` and `firmware …` end to end against `particlectl sim all` (fake cloud, a device on a
/// pseudo-terminal, a SoftAP Photon), through the built executables.
@Suite("Provisioning (simulated world)")
struct ProvisionTests {
    static let password = SimulatedWorldFixture.wifiPassword

    private func summary(_ result: ToolResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any], "stdout: \(result.stdout)")
    }

    private func steps(_ summary: [String: Any]) -> [(String, String)] {
        (summary["steps"] as? [[String: Any]] ?? []).map { ($0["step"] as? String ?? "", $0["outcome"] as? String ?? "") }
    }

    @Test func serialProvisioningWithFirmwareEndsVerified() async throws {
        let world = try await SimulatedWorldFixture()
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                            "--password-stdin", "--name", "bench-1", "--firmware", "functionVarPub",
                                            "--json"], stdin: Self.password + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try summary(result)
        #expect(Set(summary.keys) == ["device_id", "platform", "owner", "name", "product", "firmware", "steps", "seconds"])
        #expect(summary["device_id"] as? String == world.serialDeviceID)
        #expect(summary["platform"] as? String == "argon")
        #expect(summary["owner"] as? String == "dev@example.com")
        #expect(summary["name"] as? String == "bench-1")
        #expect(summary["product"] is NSNull)
        let firmware = try #require(summary["firmware"] as? [String: Any])
        #expect(firmware["verified"] as? Bool == true)
        #expect(firmware["functions"] as? [String] == ["publishEvent", "setColor"])
        #expect(firmware["variables"] as? [String] == ["sensor"])
        #expect(firmware["return_value"] as? Int == 1)
        #expect(steps(summary).map(\.0) == ["identify", "check-cloud", "claim-code", "configure", "connect",
                                            "wait-online", "verify-owner", "rename", "flash"])
        #expect(steps(summary).allSatisfy { $0.1 == "done" })
        #expect(!result.stdout.contains(Self.password) && !result.stderr.contains(Self.password))

        // The device is now the user's, online, with the firmware's functions.
        let info = try await world.particlectl(["cloud", "device", world.serialDeviceID, "--json"])
        #expect(info.status == 0, "stderr: \(info.stderr)")
        #expect(info.stdout.contains("\"setColor\""))
    }

    @Test(arguments: ["tcp", "http"])
    func softAPProvisioning(transport: String) async throws {
        let world = try await SimulatedWorldFixture()
        let address = transport == "tcp" ? world.softAPTCP : world.softAPHTTP
        let result = try await world.particlectl(["provision", "--softap", "--address", address, "--protocol", transport,
                                            "--ssid", "HomeNet", "--password-stdin"], stdin: Self.password + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Provisioned \(world.softAPDeviceID)"))
        #expect(result.stdout.contains("owner:     dev@example.com"))
        // Progress: one line per step on stderr, naming what it does.
        #expect(result.stderr.contains("✓ wait-online: online"))
        #expect(!result.stdout.contains(Self.password) && !result.stderr.contains(Self.password))
    }

    @Test func wrongWiFiPasswordTimesOutAtWaitOnlineAndARerunCompletes() async throws {
        let world = try await SimulatedWorldFixture()
        let wrong = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--online-timeout", "2"], stdin: "not the password\n")
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("step 'wait-online'"))
        #expect(wrong.stderr.contains("did not come online"))
        #expect(!wrong.stderr.contains("not the password"))
        #expect(wrong.stderr.split(separator: "\n").last?.hasPrefix("particlectl: ") == true)

        // Back into listening mode (as a technician holds SETUP), then the same command with the right password.
        let listen = try await world.particlectl(["serial", "listen", "--port", world.serialPort])
        #expect(listen.status == 0, "stderr: \(listen.stderr)")
        let rerun = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        #expect(try summary(rerun)["owner"] as? String == "dev@example.com")
    }

    @Test func rerunAfterSuccessSkipsWhatIsDone() async throws {
        let world = try await SimulatedWorldFixture()
        let first = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--firmware", "functionVar", "--json"],
                                          stdin: Self.password + "\n")
        #expect(first.status == 0, "stderr: \(first.stderr)")
        _ = try await world.particlectl(["serial", "listen", "--port", world.serialPort])
        let again = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--firmware", "functionVar", "--json"],
                                          stdin: Self.password + "\n")
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let outcomes = Dictionary(uniqueKeysWithValues: steps(try summary(again)))
        #expect(outcomes["claim-code"] == "skipped")
        #expect(outcomes["configure"] == "skipped")
        #expect(outcomes["wait-online"] == "skipped")
        #expect(outcomes["flash"] == "skipped")
        #expect(outcomes["verify-owner"] == "done")
    }

    @Test func silentDeviceFailsAtIdentifyWithTimeout() async throws {
        let world = try await SimulatedWorldFixture()
        let silent = try BackgroundTool(ToolRunner.particlectlSim, ["device", "--fault", "silent"])
        defer { silent.stop() }
        let line = try silent.firstLine()
        let port = String(line.dropFirst("port: ".count))
        let result = try await world.particlectl(["provision", "--port", port, "--ssid", "HomeNet", "--password-stdin",
                                            "--timeout", "1"], stdin: Self.password + "\n")
        #expect(result.status == 4)
        #expect(result.stderr.contains("step 'identify'"))
        #expect(result.stderr.contains(port))
    }

    @Test func rateLimitedCloudFailsWithExitOneThenARerunCompletes() async throws {
        let world = try await SimulatedWorldFixture()
        try world.setFaults(#"{"rate_limits": 50, "retry_after": 0}"#)
        let limited = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                             "--password-stdin"], stdin: Self.password + "\n", timeout: 90)
        #expect(limited.status == 1)
        #expect(limited.stderr.contains("HTTP 429"))
        #expect(limited.stderr.contains("step '"))
        try world.setFaults("{}")
        let rerun = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin"], stdin: Self.password + "\n")
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
    }

    @Test func flashShowsCompileErrorsWithTheCompilersLines() async throws {
        let world = try await SimulatedWorldFixture()
        let provisioned = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                 "--password-stdin"], stdin: Self.password + "\n")
        #expect(provisioned.status == 0, "stderr: \(provisioned.stderr)")
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).cpp")
        try "void setup() {}\n#error sensor pin not defined\nvoid loop() {}\n".write(to: source, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: source) }
        let result = try await world.particlectl(["firmware", "flash", world.serialDeviceID, source.path, "--verify"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(":2:2: error: #error sensor pin not defined"))
        #expect(result.stderr.contains("particlectl: the firmware did not compile"))
        // Fixed: the next flash goes through and verifies.
        let fixed = try await world.particlectl(["firmware", "flash", world.serialDeviceID, "functionVar", "--verify"])
        #expect(fixed.status == 0, "stderr: \(fixed.stderr)")
        #expect(fixed.stdout == "functionVar flashed and verified on \(world.serialDeviceID)\n")
    }

    @Test func withoutAnEventStreamItPollsTheDeviceInfo() async throws {
        let world = try await SimulatedWorldFixture()
        try world.setFaults(#"{"stream_errors": 100}"#)
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                            "--password-stdin", "--json"], stdin: Self.password + "\n", timeout: 90)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let waited = (try summary(result)["steps"] as? [[String: Any]])?.first { $0["step"] as? String == "wait-online" }
        #expect(waited?["detail"] as? String == "online (polled device info)")
    }

    @Test func productImportThenUserClaim() async throws {
        let world = try await SimulatedWorldFixture()
        let result = try await world.particlectl(["provision", "--softap", "--address", world.softAPTCP, "--ssid", "HomeNet",
                                            "--password-stdin", "--product", "widget-fleet", "--json"],
                                           stdin: Self.password + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try summary(result)
        #expect(steps(summary).map(\.0).prefix(3) == ["identify", "check-cloud", "import"])
        #expect(steps(summary).first { $0.0 == "import" }?.1 == "done")
        #expect(summary["owner"] as? String == "dev@example.com")
        let listed = try await world.particlectl(["cloud", "devices", "--product", "widget-fleet", "--json"])
        #expect(listed.status == 0, "stderr: \(listed.stderr)")
        #expect(listed.stdout.contains(world.softAPDeviceID))
    }

    @Test func productCustomerOwnsTheDevice() async throws {
        let world = try await SimulatedWorldFixture()
        var environment = world.environment
        environment["PARTICLE_CLIENT_SECRET"] = "widget-fleet-secret"
        let result = try await ToolRunner.particlectl(
            ["provision", "--softap", "--address", world.softAPTCP, "--ssid", "HomeNet", "--password-stdin",
             "--product", "1001", "--customer", "jane@example.com", "--client-id", "widget-fleet-2468", "--json"],
            stdin: Self.password + "\n", environment: environment, timeout: 60)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try summary(result)
        #expect(summary["owner"] as? String == "jane@example.com")
        #expect(summary["product"] as? String == "1001")
        #expect(summary["platform"] as? String == "photon")
        #expect(!result.stdout.contains("widget-fleet-secret") && !result.stderr.contains("widget-fleet-secret"))

        let missing = try await world.particlectl(["provision", "--softap", "--ssid", "HomeNet", "--customer", "jane@example.com"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--customer needs --product and --client-id"))
    }

    @Test func flashVerifyThroughTheFirmwareCommand() async throws {
        let world = try await SimulatedWorldFixture()
        let provisioned = try await world.particlectl(["provision", "--softap", "--address", world.softAPTCP,
                                                 "--ssid", "HomeNet", "--password-stdin"], stdin: Self.password + "\n")
        #expect(provisioned.status == 0, "stderr: \(provisioned.stderr)")
        let result = try await world.particlectl(["firmware", "flash", world.softAPDeviceID, "functionVar", "--verify", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["device"] as? String == world.softAPDeviceID)
        #expect(object["functions"] as? [String] == ["setColor"])
        #expect(object["verified"] as? Bool == true)
    }

    @Test func compileDownloadsTheBinaryAndReportsSizes() async throws {
        let world = try await SimulatedWorldFixture()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fw-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try await world.particlectl(["firmware", "compile", "functionVarPub", "--platform", "photon",
                                            "--output", output.path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["platform_id"] as? Int == 6)
        #expect((object["flash_bytes"] as? Int ?? 0) > 0)
        #expect((object["ram_bytes"] as? Int ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: output.path))
        let unknown = try await world.particlectl(["firmware", "compile", "functionVar", "--platform", "toaster"])
        #expect(unknown.status == 2)
    }

    @Test func firmwareListAndShow() async throws {
        let list = try await ToolRunner.particlectl(["firmware", "list", "--json"])
        #expect(list.status == 0)
        #expect(list.stdout.contains(#""name":"functionVar""#))
        #expect(list.stdout.contains(#""functions":["setColor","publishEvent"]"#))
        let show = try await ToolRunner.particlectl(["firmware", "show", "functionVarPub"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("Particle.function(\"publishEvent\", publishEvent);"))
        let missing = try await ToolRunner.particlectl(["firmware", "show", "blink"])
        #expect(missing.status == 3)
        #expect(missing.stderr == "particlectl: no bundled firmware named blink (bundled: functionVar, functionVarPub)\n")
    }

    @Test func provisionWithoutATokenExitsFive() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        let result = try await ToolRunner.particlectl(["provision", "--port", "/dev/null", "--ssid", "HomeNet",
                                                 "--password-stdin"], stdin: "x\n",
                                                environment: ["XDG_CONFIG_HOME": home.path, "HOME": home.path,
                                                              "PARTICLE_AUTH": "", "PARTICLE_API_URL": "http://127.0.0.1:9"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("particlectl login"))
    }
}
