import Foundation
import Glibc
import ParticleCore
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

    /// A world whose serial device is provisioned (claimed by dev@example.com and online).
    private func provisionedWorld() async throws -> SimulatedWorldFixture {
        let world = try await SimulatedWorldFixture()
        let provisioned = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                 "--password-stdin"], stdin: Self.password + "\n")
        #expect(provisioned.status == 0, "stderr: \(provisioned.stderr)")
        return world
    }

    /// A firmware source file in the temporary folder (the caller removes it).
    private func sourceFile(_ text: String) throws -> URL {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).cpp")
        try text.write(to: source, atomically: true, encoding: .utf8)
        return source
    }

    @Test func serialProvisioningWithFirmwareEndsVerified() async throws {
        let world = try await SimulatedWorldFixture()
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                            "--password-stdin", "--name", "bench-1", "--firmware", "functionVarPub",
                                            "--json"], stdin: Self.password + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try summary(result)
        #expect(Set(summary.keys) == ["device_id", "platform", "owner", "name", "product", "firmware", "device_os", "mac",
                                      "serial_number", "iccid", "imei", "steps", "seconds", "particlectl_version"])
        #expect(summary["particlectl_version"] as? String == ParticlectlVersion.string)
        #expect(summary["device_id"] as? String == world.serialDeviceID)
        // Recorded from the console while the device was in listening mode.
        #expect(summary["device_os"] as? String == "5.9.0")
        #expect(summary["mac"] as? String == "6c:0b:84:5a:00:00")
        #expect(summary["serial_number"] as? String == "SIMARGON00001")
        #expect(summary["platform"] as? String == "argon")
        #expect(summary["owner"] as? String == "dev@example.com")
        #expect(summary["name"] as? String == "bench-1")
        #expect(summary["product"] is NSNull)
        let firmware = try #require(summary["firmware"] as? [String: Any])
        #expect(firmware["verified"] as? Bool == true)
        #expect(firmware["functions"] as? [String] == ["publishEvent", "setColor"])
        #expect(firmware["variables"] as? [String] == ["sensor"])
        #expect(firmware["return_value"] as? Int == 1)
        #expect(steps(summary).map(\.0) == ["validate", "identify", "check-cloud", "claim-code", "configure", "connect",
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
        // Progress: one line per step on stderr, naming what it does, each step once.
        #expect(result.stderr.contains("✓ wait-online: online"))
        #expect(result.stderr.components(separatedBy: "wait-online").count == 2, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains(Self.password) && !result.stderr.contains(Self.password))
    }

    @Test func wrongWiFiPasswordTimesOutAtWaitOnlineAndTheSameCommandThenCompletes() async throws {
        let world = try await SimulatedWorldFixture()
        let wrong = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--online-timeout", "2"], stdin: "not the password\n")
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("step 'wait-online'"))
        #expect(wrong.stderr.contains("did not come online"))
        #expect(!wrong.stderr.contains("not the password"))
        let lines = wrong.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("""
            done: validate, identify, check-cloud, claim-code, configure, connect; failed at wait-online; \
            not started: verify-owner
            """), "stderr: \(wrong.stderr)")
        #expect(lines.last?.hasPrefix("particlectl: ") == true)
        #expect(lines.last?.hasSuffix("rerun the same command — it puts the device back into listening mode and continues") == true)

        // The device now runs its application; the same command puts it back into listening mode and completes.
        let rerun = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--json"], stdin: Self.password + "\n")
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        let summary = try summary(rerun)
        #expect(summary["owner"] as? String == "dev@example.com")
        let identify = (summary["steps"] as? [[String: Any]])?.first { $0["step"] as? String == "identify" }
        #expect((identify?["detail"] as? String)?.contains("put back into listening mode") == true)
    }

    @Test func failureJSONIsTheSuccessObjectWithTheError() async throws {
        let world = try await SimulatedWorldFixture()
        let wrong = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--online-timeout", "2", "--json"],
                                          stdin: "not the password\n")
        #expect(wrong.status == 4)
        let object = try summary(wrong)
        #expect(Set(object.keys) == ["device_id", "platform", "owner", "name", "product", "firmware", "device_os", "mac",
                                     "serial_number", "iccid", "imei", "steps", "seconds", "particlectl_version",
                                     "error", "exit_code", "failed_step"])
        #expect(object["device_id"] as? String == world.serialDeviceID)
        #expect(object["exit_code"] as? Int == 4)
        #expect(object["failed_step"] as? String == "wait-online")
        #expect((object["error"] as? String)?.contains("did not come online") == true)
        #expect(steps(object).map(\.0) == ["validate", "identify", "check-cloud", "claim-code", "configure", "connect"])
        // Errors stay on stderr too.
        #expect(wrong.stderr.contains("particlectl: step 'wait-online'"))
    }

    @Test func aBadPlanIsRefusedBeforeAnythingIsWrittenToTheDevice() async throws {
        let world = try await SimulatedWorldFixture()
        let badName = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                             "--password-stdin", "--name", "bad name!"], stdin: Self.password + "\n")
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("--name: the device name 'bad name!' may only contain letters, digits, _ and -"))
        let badSecurity = try await world.particlectl(["provision", "--softap", "--ssid", "HomeNet", "--security", "wpa3"])
        #expect(badSecurity.status == 2)
        let unknownSecurity = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                     "--security", "wpa2_aes_bogus"])
        #expect(unknownSecurity.status == 2)

        let shortPassword = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                   "--security", "wpa2", "--password-stdin", "--json"], stdin: "short\n")
        #expect(shortPassword.status == 2)
        let object = try summary(shortPassword)
        #expect(object["failed_step"] as? String == "validate")
        #expect(object["device_id"] is NSNull)
        #expect(shortPassword.stderr.contains("a WPA password must be 8 to 63 characters long"))

        let noProduct = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                               "--password-stdin", "--product", "no-such-product"],
                                              stdin: Self.password + "\n")
        #expect(noProduct.status == 3)
        #expect(noProduct.stderr.contains("product no-such-product not found"))

        let taken = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin", "--name", "gongbot", "--json"], stdin: Self.password + "\n")
        #expect(taken.status == 2)
        #expect(try summary(taken)["failed_step"] as? String == "check-cloud")
        #expect(taken.stderr.contains("the name 'gongbot' is already used by device 0123456789abcdef01234567"))

        // Nothing was written: the device is still in listening mode and unclaimed, and the next run does it all.
        let good = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                          "--security", "wpa2_aes", "--password-stdin", "--json"],
                                         stdin: Self.password + "\n")
        #expect(good.status == 0, "stderr: \(good.stderr)")
        #expect(steps(try summary(good)).allSatisfy { $0.1 == "done" })
    }

    @Test func softAPTakesTheSameSecurityNames() async throws {
        let world = try await SimulatedWorldFixture()
        let result = try await world.particlectl(["provision", "--softap", "--address", world.softAPTCP, "--ssid", "HomeNet",
                                            "--security", "wpa", "--password-stdin"], stdin: Self.password + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("unknown Wi-Fi security"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("step 'configure'"), "stderr: \(result.stderr)")
    }

    @Test func aClaimedDeviceIsFinishedFromTheCloudWithDevice() async throws {
        let world = try await SimulatedWorldFixture()
        let first = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin"], stdin: Self.password + "\n")
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let result = try await world.particlectl(["provision", "--device", world.serialDeviceID, "--name", "bench-9",
                                            "--firmware", "functionVar", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try summary(result)
        #expect(steps(summary).map(\.0) == ["validate", "check-cloud", "wait-online", "verify-owner", "rename", "flash"])
        #expect(summary["name"] as? String == "bench-9")
        #expect((summary["firmware"] as? [String: Any])?["verified"] as? Bool == true)

        let mixed = try await world.particlectl(["provision", "--device", world.serialDeviceID, "--port", world.serialPort])
        #expect(mixed.status == 2)
    }

    @Test func aMissedOnlineEventCostsAPollIntervalNotTheTimeout() async throws {
        let world = try await SimulatedWorldFixture()
        try world.setFaults(#"{"lost_events": 1}"#)
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                            "--password-stdin", "--online-timeout", "60", "--json"],
                                           stdin: Self.password + "\n", timeout: 50)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let waited = (try summary(result)["steps"] as? [[String: Any]])?.first { $0["step"] as? String == "wait-online" }
        #expect(waited?["detail"] as? String == "online (polled device info)")
        #expect((waited?["seconds"] as? Double ?? 99) < 10)
    }

    @Test func sigtermPrintsWhatWasDoneAndWhereItStopped() async throws {
        let world = try await SimulatedWorldFixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectl)
        process.arguments = ["provision", "--port", world.serialPort, "--ssid", "HomeNet", "--password-stdin",
                             "--online-timeout", "60"]
        process.environment = ProcessInfo.processInfo.environment.merging(world.environment) { $1 }
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let collected = OutputCollector()
        collected.collect(errors.fileHandleForReading, to: .err)
        try process.run()
        input.fileHandleForWriting.write(Data("not the password\n".utf8))
        try? input.fileHandleForWriting.close()
        await eventually(within: 30) { collected.contents.1.contains("✓ connect") || process.exitSeen != nil }
        kill(process.processIdentifier, SIGTERM)
        let ended = await process.finish(within: 15)
        collected.append(errors.fileHandleForReading.readDataToEndOfFile(), to: .err)
        let stderr = collected.contents.1
        #expect(ended == .exited(143), "stderr: \(stderr)")
        #expect(stderr.contains("""
            done: validate, identify, check-cloud, claim-code, configure, connect; failed at wait-online (interrupted); \
            not started: verify-owner
            """), "stderr: \(stderr)")
        #expect(stderr.contains("particlectl: step 'wait-online' (waiting for the device to come online) failed: interrupted"))
    }

    @Test func onATerminalTheWaitShowsElapsedAndRemainingTimeInPlace() async throws {
        let world = try await SimulatedWorldFixture()
        // `script` runs the command with a terminal as its stdout and stderr.
        let command = [ToolRunner.particlectl, "provision", "--port", world.serialPort, "--ssid", "HomeNet",
                       "--password-stdin", "--online-timeout", "3"].joined(separator: " ")
        let result = try await ToolRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], stdin: "not the password\n",
                                        environment: world.environment, timeout: 60)
        #expect(result.status == 4, "output: \(result.stdout)")
        #expect(result.stdout.contains("\r\u{1B}[K… wait-online: waiting for the device to come online — 1 s elapsed, 2 s left"))
        // A step's result replaces its running line.
        #expect(result.stdout.contains("\r\u{1B}[K✓ connect: device is joining 'HomeNet'"))
        #expect(!result.stdout.contains("… connect: leaving listening mode\r\n"))
    }

    @Test func rerunAfterSuccessSkipsWhatIsDoneAndReleasesTheDevice() async throws {
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
        // It answered in listening mode, so it is let go again rather than left there.
        #expect(outcomes["connect"] == "done")
        #expect(outcomes["wait-online"] == "done")
        #expect(outcomes["flash"] == "skipped")
        #expect(outcomes["verify-owner"] == "done")
        #expect((try summary(again)["firmware"] as? [String: Any])?["firmware"] as? String == "functionVar")
    }

    @Test func silentDeviceFailsAtIdentifyWithTimeout() async throws {
        let world = try await SimulatedWorldFixture()
        let silent = try BackgroundTool(ToolRunner.particlectlSim, ["device", "--fault", "silent"])
        defer { silent.stop() }
        let line = try await silent.firstLine()
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
        // Each back-off says how long it waits.
        #expect(limited.stderr.contains("rate limited by the cloud (HTTP 429): waiting 0.0 s before retry 1"))
        #expect(limited.stderr.contains("step '"))
        try world.setFaults("{}")
        let rerun = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                           "--password-stdin"], stdin: Self.password + "\n")
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
    }

    @Test func flashShowsCompileErrorsWithTheCompilersLines() async throws {
        let world = try await provisionedWorld()
        let source = try sourceFile("void setup() {}\n#error sensor pin not defined\nvoid loop() {}\n")
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

    @Test func firmwareFlashJSONOnFailure() async throws {
        let world = try await provisionedWorld()
        let source = try sourceFile("#error nope\n")
        defer { try? FileManager.default.removeItem(at: source) }
        let result = try await world.particlectl(["firmware", "flash", world.serialDeviceID, source.path, "--verify", "--json"])
        #expect(result.status == 1)
        let object = try summary(result)
        #expect(object["device"] as? String == world.serialDeviceID)
        #expect(object["verified"] as? Bool == false)
        #expect(object["exit_code"] as? Int == 1)
        #expect(object["failed_step"] as? String == "upload")
        #expect((object["error"] as? String)?.hasPrefix("the firmware did not compile") == true)
        #expect(result.stderr.contains("particlectl: the firmware did not compile"))
        // A device the account does not have (the cloud answers 403) fails at `resolve`, with the same object.
        let unknown = try await world.particlectl(["firmware", "flash", "no_such_device", "functionVar", "--json"])
        #expect(unknown.status == 1)
        let missing = try summary(unknown)
        #expect(missing["exit_code"] as? Int == 1)
        #expect(missing["failed_step"] as? String == "resolve")
        #expect(missing["device"] as? String == "no_such_device")
        #expect(missing["firmware"] as? String == "functionVar")
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
        #expect(steps(summary).map(\.0).prefix(4) == ["validate", "identify", "check-cloud", "import"])
        #expect(steps(summary).first { $0.0 == "import" }?.1 == "done")
        #expect(summary["owner"] as? String == "dev@example.com")
        // Not named or flashed by this run: the name and firmware it has, not null.
        #expect(summary["name"] as? String == "device_\(world.softAPDeviceID.suffix(6))")
        let firmware = try #require(summary["firmware"] as? [String: Any])
        #expect(firmware["verified"] as? Bool == false)
        #expect(firmware["functions"] as? [String] == [])
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

    @Test func simAllRunsSeveralDevicesEachOnItsOwnPty() async throws {
        let sim = try BackgroundTool(ToolRunner.particlectlSim, ["all", "--devices", "3", "--json", "--duration", "600"])
        defer { sim.stop() }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try await sim.firstLine().utf8)) as? [String: Any])
        #expect(object["wifi_password"] as? String == Self.password)
        let devices = try #require(object["serial_devices"] as? [[String: String]])
        #expect(devices.count == 3)
        #expect(Set(devices.compactMap { $0["port"] }).count == 3)
        #expect(Set(devices.compactMap { $0["device_id"] }).count == 3)
        #expect(devices.compactMap { $0["serial_number"] } == ["SIMARGON00001", "SIMARGON00002", "SIMARGON00003"])
        for device in devices {
            let identify = try await ToolRunner.particlectl(["serial", "identify", "--port", device["port"] ?? "", "--json"])
            #expect(identify.status == 0, "stderr: \(identify.stderr)")
            #expect(identify.stdout.contains(device["device_id"] ?? "?"))
            #expect(identify.stdout.contains(device["serial_number"] ?? "?"))
        }
    }

    /// The device asks for something not given: the line names `provision`'s own option, never one of `serial wifi`'s.
    @Test func aMissingValueIsAskedForWithProvisionsOwnOption() async throws {
        let world = try await SimulatedWorldFixture()
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "NotInTheScan",
                                            "--password-stdin"], stdin: Self.password + "\n")
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("asks for the security type, but none was given — pass --security;"),
                "stderr: \(result.stderr)")
        // Progress lines come first; the error is the one last line.
        #expect(result.stderr.split(separator: "\n").last?.hasPrefix("particlectl: step 'configure'") == true,
                "stderr: \(result.stderr)")
    }

    /// A rejected token from `PARTICLE_AUTH` is named as such by `provision` too, not "run login".
    @Test func aRejectedTokenFromPARTICLE_AUTHIsNamedByProvision() async throws {
        let world = try await SimulatedWorldFixture()
        var environment = world.environment
        environment["PARTICLE_AUTH"] = "0123456789abcdef0123456789abcdef01234567"
        let result = try await ToolRunner.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                 "--password-stdin"], stdin: Self.password + "\n",
                                                environment: environment, timeout: 60)
        #expect(result.status == 5, "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").last?.contains("the cloud rejected the access token from PARTICLE_AUTH") == true,
                "stderr: \(result.stderr)")
    }

    /// A value outside an option's list is one line that names the list (not a line ending in "following:").
    @Test func anUnknownSecurityIsOneLineNamingTheChoices() async throws {
        let result = try await ToolRunner.particlectl(["provision", "--ssid", "X", "--security", "wpa9", "--port", "/dev/null"])
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: The value 'wpa9' is invalid for '--security <security>'. Please provide one of the following: none, open, wep, wpa, wpa2, wpa3, wpa_aes, wpa_tkip, wpa_mixed, wpa2_aes, wpa2_tkip, wpa2_mixed (see --help)\n")
    }

    @Test func provisionWithoutATokenExitsFive() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        let result = try await ToolRunner.particlectl(["provision", "--port", "/dev/null", "--ssid", "HomeNet",
                                                 "--password-stdin"], stdin: "x\n",
                                                environment: ["XDG_CONFIG_HOME": home.path, "HOME": home.path,
                                                              "PARTICLE_AUTH": "", "PARTICLE_API_URL": "http://127.0.0.1:9"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("particlectl login"))

        // With --json, a failure before the first step is the same object, empty, with the error.
        let json = try await ToolRunner.particlectl(["provision", "--port", "/dev/null", "--ssid", "HomeNet",
                                               "--password-stdin", "--json"], stdin: "x\n",
                                              environment: ["XDG_CONFIG_HOME": home.path, "HOME": home.path,
                                                            "PARTICLE_AUTH": "", "PARTICLE_API_URL": "http://127.0.0.1:9"])
        #expect(json.status == 5)
        let object = try summary(json)
        #expect(object["exit_code"] as? Int == 5)
        #expect(object["failed_step"] is NSNull)
        #expect(object["device_id"] is NSNull)
        #expect(object["steps"] as? [Any] != nil)
    }

    /// Issue 9 item 6: a 429 back-off says how long it waits; on a terminal it counts down in place on the step's
    /// line, and the step's line comes back when the requests flow again.
    @Test func onATerminalARateLimitBackOffCountsDownInPlace() async throws {
        let world = try await SimulatedWorldFixture()
        try world.setFaults(#"{"rate_limits": 1, "retry_after": 2}"#)
        let command = [ToolRunner.particlectl, "provision", "--port", world.serialPort, "--ssid", "HomeNet",
                       "--password-stdin"].joined(separator: " ")
        let result = try await ToolRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"],
                                              stdin: Self.password + "\n", environment: world.environment, timeout: 90)
        #expect(result.status == 0, "output: \(result.stdout)")
        #expect(result.stdout.contains("    rate limited by the cloud (HTTP 429): waiting 2.0 s before retry 1 of 3 (GET /v1/"))
        // Each countdown line is written in place: after "erase line", overwritten by the next, never ended by a newline.
        let inPlace = result.stdout.components(separatedBy: "\u{1B}[K").filter { !$0.contains("\n") }
        for countdown in ["0 s elapsed, 2 s left", "1 s elapsed, 1 s left"] {
            #expect(inPlace.contains { $0.hasPrefix("… ") && $0.hasSuffix("rate limited by the cloud (HTTP 429): \(countdown)\r") },
                    "\(countdown) not in place")
        }
        #expect(result.stdout.contains("✓ check-cloud: "))
    }

    /// Piped, the back-off is one line when it starts (no in-place updates), and provisioning goes on after it.
    @Test func pipedARateLimitBackOffIsOneLine() async throws {
        let world = try await SimulatedWorldFixture()
        try world.setFaults(#"{"rate_limits": 1, "retry_after": 2}"#)
        let result = try await world.particlectl(["provision", "--port", world.serialPort, "--ssid", "HomeNet",
                                                  "--password-stdin"], stdin: Self.password + "\n", timeout: 90)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("rate limited") }
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("    rate limited by the cloud (HTTP 429): waiting 2.0 s before retry 1 of 3 (GET /v1/") == true)
        #expect(!result.stderr.contains("\u{1B}[K"))
    }
}
