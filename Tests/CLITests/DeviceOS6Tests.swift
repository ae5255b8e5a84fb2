import Foundation
import Glibc
import Testing

/// A simulated Device OS 6 device with both of its USB interfaces: its serial console (`particlectl sim device
/// --os-version 6.2.0 --fault app-running --control PIPE` on a pty: it ignores the 28800-baud signal and runs its
/// application) and its control endpoint (`scripts/test/umockdev-usb.py` with `tty=PTY,control=PIPE`: libudev pairs
/// the tty and the USB device as one, and START_LISTENING tells the console through the pipe). The port is given
/// as a /dev/serial/by-id style symlink outside /dev, as udev makes them (umockdev's preload refuses the 28800-baud
/// ioctl on paths under /dev, and the symlink is how particlectl must find the USB device of a port anyway).
final class DeviceOS6Fixture: @unchecked Sendable {
    static let deviceID = "e00fce680123456789abcd00"
    static let harness = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-usb.py").path

    let folder: URL
    let console: BackgroundTool
    let pty: String
    /// The by-id symlink to the pty: the port particlectl is given.
    let link: String
    let controlPipe: String
    let wireLog: URL
    var cloud: BackgroundTool?
    var cloudURL: String?

    /// A device (and, with `cloud`, the fake cloud it comes online in, with dev@example.com logged in).
    init(cloud withCloud: Bool = false) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dos6-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("by-id"), withIntermediateDirectories: true)
        controlPipe = folder.appendingPathComponent("control").path
        wireLog = folder.appendingPathComponent("wire.log")
        var arguments = ["device", "--platform", "argon", "--id", Self.deviceID, "--os-version", "6.2.0",
                         "--fault", "app-running", "--control", controlPipe, "--ssid-visible", "HomeNet:wpa2:aes"]
        if withCloud {
            let cloud = try BackgroundTool(ToolRunner.particlectlSim, [
                "cloud", "--listen", "127.0.0.1:0", "--state", folder.appendingPathComponent("cloud.json").path])
            let url = try await cloud.firstLine()
            self.cloud = cloud
            cloudURL = url
            arguments += ["--cloud", url]
        }
        console = try BackgroundTool(ToolRunner.particlectlSim, arguments)
        let first = try await console.firstLine()
        pty = first.hasPrefix("port: ") ? String(first.dropFirst(6)) : first
        link = folder.appendingPathComponent("by-id/usb-Particle_Argon_\(Self.deviceID)-if00").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty)
        if withCloud {
            let login = try await ToolRunner.particlectl(["login", "--username", "dev@example.com", "--password-stdin"],
                                                         stdin: "dev-password\n", environment: environment)
            guard login.status == 0 else { throw BackgroundToolError(message: "login failed: \(login.stderr)") }
        }
    }

    deinit {
        console.stop()
        cloud?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var environment: [String: String] {
        guard let cloudURL else { return [:] }
        return ["XDG_CONFIG_HOME": folder.path, "HOME": folder.path, "PARTICLE_API_URL": cloudURL]
    }

    /// The USB side's spec for umockdev-usb.py.
    var usbSpec: String { "platform=12,id=\(Self.deviceID),tty=\(pty),control=\(controlPipe)" }

    /// Runs `executable arguments` with the USB side attached (the program sees both the tty and the USB device).
    func run(_ executable: String, _ arguments: [String], stdin: String? = nil, timeout: Double = 60) async throws -> ToolResult {
        try await ToolRunner.run("/usr/bin/python3", [Self.harness, "--log", wireLog.path, "--device", usbSpec, "--",
                                                      executable] + arguments,
                                 stdin: stdin, environment: environment, timeout: timeout)
    }

    /// The setup packets the USB side saw (`<usb path> <setup hex> <data hex or ->`).
    var wire: [String] {
        ((try? String(contentsOf: wireLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The console's event lines (after its port line).
    var events: [String] { Array(console.lines.dropFirst()) }

    /// Waits (bounded) until the console printed `count` event lines.
    func waitForEvents(_ count: Int, timeout: Double = 5) async -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while events.count < count && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return events
    }

    static let startListeningINIT = "1-1 c001000046004000 -"
}

@Suite("Device OS 6: into listening mode over USB by itself")
struct DeviceOS6Tests {
    @Test func provisionPutsADeviceThatIgnoresTheSerialTriggerIntoListeningModeOverUSB() async throws {
        let device = try await DeviceOS6Fixture(cloud: true)
        let result = try await device.run(ToolRunner.particlectl, [
            "provision", "--port", device.link, "--ssid", "HomeNet", "--password-stdin", "--json"],
            stdin: SimulatedWorldFixture.wifiPassword + "\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                   "stdout: \(result.stdout)")
        #expect(summary["device_id"] as? String == DeviceOS6Fixture.deviceID)
        #expect(summary["owner"] as? String == "dev@example.com")
        #expect(summary["device_os"] as? String == "6.2.0")
        #expect(summary["platform"] as? String == "argon")
        let steps = (summary["steps"] as? [[String: Any]]) ?? []
        #expect(steps.map { $0["step"] as? String ?? "" } == ["validate", "identify", "check-cloud", "claim-code",
                                                            "configure", "connect", "wait-online", "verify-owner"])
        #expect(steps.allSatisfy { $0["outcome"] as? String == "done" })
        let identify = steps.first { $0["step"] as? String == "identify" }
        #expect((identify?["detail"] as? String)?.contains("put back into listening mode") == true)
        #expect(!result.stdout.contains(SimulatedWorldFixture.wifiPassword)
                && !result.stderr.contains(SimulatedWorldFixture.wifiPassword))

        // Over USB: START_LISTENING (70), then GET_DEVICE_MODE (72) until the device says it listens.
        let wire = device.wire
        let start = try #require(wire.firstIndex(of: DeviceOS6Fixture.startListeningINIT), "wire: \(wire)")
        #expect(wire[(start + 1)...].contains("1-1 c001000048004000 -"))
        #expect(wire.filter { $0 == DeviceOS6Fixture.startListeningINIT }.count == 1)
        // The console: into listening mode (told by its USB side), then the serial dialogue, then it leaves.
        let events = await device.waitForEvents(4)
        #expect(events.count == 4, "events: \(events)")
        #expect(events.first == "event: listening")
        #expect(events.dropFirst().first?.hasPrefix("event: claim-code-set claim_code=") == true)
        #expect(Array(events.dropFirst(2)) == ["event: wifi-saved password_length=21 security=wpa2 ssid=HomeNet",
                                               "event: left-listening-mode"])
    }

    @Test func stationRunProvisionsADeviceOS6DeviceWithoutAnyonePressingSetup() async throws {
        let device = try await DeviceOS6Fixture(cloud: true)
        var environment = device.environment
        environment["LINE_WIFI_PASSWORD"] = SimulatedWorldFixture.wifiPassword
        let ledger = device.folder.appendingPathComponent("station.sqlite").path
        let result = try await ToolRunner.run("/usr/bin/python3", [
            DeviceOS6Fixture.harness, "--log", device.wireLog.path, "--device", device.usbSpec, "--",
            ToolRunner.particlectl, "station", "run", "--port", device.link, "--ledger", ledger, "--station", "bench-a",
            "--ssid", "HomeNet", "--password-env", "LINE_WIFI_PASSWORD", "--count", "1", "--json",
        ], environment: environment, timeout: 90)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let outcome = objects.last { $0["step"] as? String == "result" }
        #expect(outcome?["outcome"] as? String == "provisioned", "stdout: \(result.stdout)")
        #expect(outcome?["device_id"] as? String == DeviceOS6Fixture.deviceID)
        #expect(device.wire.filter { $0 == DeviceOS6Fixture.startListeningINIT }.count == 1)
        #expect(await device.waitForEvents(1).first == "event: listening")
        #expect(!result.stdout.contains(SimulatedWorldFixture.wifiPassword)
                && !result.stderr.contains(SimulatedWorldFixture.wifiPassword))
    }

    @Test func serialListenAsksOverUSBWhenTheDeviceIgnoresTheSignal() async throws {
        let device = try await DeviceOS6Fixture()
        let result = try await device.run(ToolRunner.particlectl, ["serial", "listen", "--port", device.link,
                                                                  "--timeout", "3", "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == #"{"id":"\#(DeviceOS6Fixture.deviceID)","listening":true,"port":"\#(device.link)"}"# + "\n")
        #expect(result.stderr == "")
        #expect(device.wire.filter { $0 == DeviceOS6Fixture.startListeningINIT }.count == 1)
        #expect(await device.waitForEvents(1) == ["event: listening"])

        // Now listening, it answers the console at once: no USB request this time.
        let again = try await device.run(ToolRunner.particlectl, ["serial", "listen", "--port", device.link])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout == "\(device.link) is in listening mode (device ID \(DeviceOS6Fixture.deviceID)).\n")
        #expect(device.wire.filter { $0 == DeviceOS6Fixture.startListeningINIT }.count == 1)
    }

    @Test func serialListenWithoutTheUSBSideGivesTheSerialError() async throws {
        let device = try await DeviceOS6Fixture()
        // No umockdev: libudev knows no USB device for this port, so the USB way cannot be taken.
        let result = try await ToolRunner.run(ToolRunner.particlectl, ["serial", "listen", "--port", device.link,
                                                                      "--timeout", "1"])
        #expect(result.status == 4)
        #expect(result.stdout == "")
        #expect(result.stderr == "particlectl: the device on \(device.link) did not enter listening mode within 1s — "
            + "Device OS 6 has no serial trigger and Protected devices never answer: hold SETUP until the LED blinks dark blue\n")
        #expect(device.events.isEmpty)
    }
}
