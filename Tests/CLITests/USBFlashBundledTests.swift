import Foundation
import Testing

/// `flash --local BUNDLED-NAME`: a firmware that ships with particlectl (as source) is compiled in the fake cloud for
/// the device's platform and Device OS, then loaded over USB control requests into the simulated device.
@Suite("flash --local with a bundled firmware")
struct USBFlashBundledTests {
    /// A fake cloud with dev@example.com logged in (its config in a temporary folder).
    final class LoggedInCloud: @unchecked Sendable {
        let tool: BackgroundTool
        let folder: URL
        let url: String

        init() async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("usb-flash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            tool = try BackgroundTool(ToolRunner.particlectlSim, ["cloud", "--listen", "127.0.0.1:0",
                                                                 "--state", folder.appendingPathComponent("cloud.json").path])
            url = try await tool.firstLine()
            let login = try await ToolRunner.particlectl(["login", "--username", "dev@example.com", "--password-stdin"],
                                                         stdin: "dev-password\n", environment: environment)
            guard login.status == 0 else { throw BackgroundToolError(message: "login failed: \(login.stderr)") }
        }

        deinit {
            tool.stop()
            try? FileManager.default.removeItem(at: folder)
        }

        var environment: [String: String] {
            ["XDG_CONFIG_HOME": folder.path, "HOME": folder.path, "PARTICLE_API_URL": url]
        }
    }

    static func run(_ arguments: [String], device: String, environment: [String: String]) async throws -> USBCommandsTests.Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("usb-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let result = try await ToolRunner.run("/usr/bin/python3", [USBCommandsTests.simulator, "--log", log.path,
                                                                  "--device", device, "--", ToolRunner.particlectl] + arguments,
                                              environment: environment, timeout: 60)
        let wire = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return USBCommandsTests.Run(result: result, wire: wire)
    }

    @Test func aBundledFirmwareIsCompiledForTheDeviceAndLoaded() async throws {
        let cloud = try await LoggedInCloud()
        let run = try await Self.run(["flash", "--local", "functionVar", "--json"], device: "platform=12,version=6.2.0",
                                     environment: cloud.environment)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        // The fake cloud's stand-in binary: 60 bytes of what it was built from and the CRC-32 a module ends with.
        #expect(run.result.stdout == #"{"bytes":64,"device_id":"e00fce680123456789abcd00","platform":"argon","usb_path":"1-1","user_part_version":7,"verified":true}"# + "\n")
        let inits = run.wire.map { String($0.dropFirst(4).prefix(16)) }.filter { $0.hasPrefix("c001") }
        #expect(inits.contains("c0010200fa004000"))  // START {1: 64}
        #expect(inits.filter { $0 == "c0014200fd004000" }.count == 1)  // one DATA chunk of 64 bytes ({1: bytes} = 66)
        #expect(inits.contains("c0010000fb004000"))  // FINISH
        // The device restarted with the new user part: its module info lists v7, 64 bytes, valid.
        #expect(run.wire.filter { $0.hasSuffix(" c00100005a004000 -") }.count >= 1)
    }

    @Test func theCompiledBinaryIsKeptSoTheNextDeviceNeedsNoCloudAndNoLogin() async throws {
        let cloud = try await LoggedInCloud()
        let first = try await Self.run(["flash", "--local", "functionVar", "--json"], device: "platform=12,version=6.2.0",
                                       environment: cloud.environment)
        #expect(first.result.status == 0, "\(first.result.stderr)")
        let cache = cloud.folder.appendingPathComponent(".cache/particlectl/firmware").path
        let kept = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(kept.count == 1 && kept[0].hasPrefix("functionVar-") && kept[0].hasSuffix("-p12-6.2.0.bin"), "\(kept)")

        // Another host user: not logged in, the cloud unreachable, only the cache shared.
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("usb-offline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: other) }
        let offline = ["XDG_CONFIG_HOME": other.path, "HOME": other.path, "PARTICLE_AUTH": "",
                       "XDG_CACHE_HOME": cloud.folder.appendingPathComponent(".cache").path,
                       "PARTICLE_API_URL": "http://127.0.0.1:9"]
        let second = try await Self.run(["flash", "--local", "functionVar", "--json"], device: "platform=12,version=6.2.0",
                                        environment: offline)
        #expect(second.result.status == 0, "\(second.result.stderr)")
        #expect(second.result.stdout == first.result.stdout)

        // Another Device OS is another binary: without a login it fails at that device, naming the login.
        let newer = try await Self.run(["flash", "--local", "functionVar"], device: "platform=12,version=6.3.0",
                                       environment: offline)
        #expect(newer.result.status == 5, "\(newer.result.stderr)")
        #expect(newer.result.stderr.contains("login"), "\(newer.result.stderr)")
        #expect(!newer.wire.contains { $0.contains("c0010200fa00") }, "no firmware update was started")
    }

    @Test func aNameThatIsNeitherAFileNorBundledIsAUsageError() async throws {
        let run = try await USBCommandsTests.run(["flash", "--local", "noSuchFirmware"], devices: ["platform=12"], front: true)
        #expect(run.result.status == 2)
        #expect(run.result.stderr == "particlectl: 'noSuchFirmware' is neither a file nor a bundled firmware "
            + "(functionVar, functionVarPub); give a compiled binary or one of those names\n")
        #expect(run.wire.isEmpty)
    }

    @Test func aBundledNameNeedsALogin() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usb-nologin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await Self.run(["flash", "--local", "functionVar"], device: "platform=12",
                                     environment: ["XDG_CONFIG_HOME": folder.path, "HOME": folder.path,
                                                   "PARTICLE_API_URL": "http://127.0.0.1:9", "PARTICLE_AUTH": ""])
        #expect(run.result.status == 5, "\(run.result.stderr)")
        #expect(run.result.stderr.hasPrefix("particlectl: "))
        #expect(run.wire.isEmpty)
    }
}
