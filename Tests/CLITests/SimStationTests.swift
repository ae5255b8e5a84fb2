import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `particlectl sim station`: the simulated hub the factory station is rehearsed against, and the umockdev harness
/// (scripts/test/umockdev-station.py) that plugs its devices in and out under a faked USB bus.
@Suite("particlectl sim station and the hot-plug harness")
struct SimStationTests {
    /// `sim station … --json` in the background, its first line decoded.
    final class StationProcess: @unchecked Sendable {
        struct World: Decodable {
            struct Device: Decodable, Equatable {
                var port: String
                var device_id: String
                var serial_number: String
                var mac: String
                var platform: String
                var faults: [String]
            }
            var cloud_url: String
            var token: String
            var username: String
            var ssid: String
            var password: String
            var devices: [Device]
        }

        let tool: BackgroundTool
        let line: String
        let world: World

        init(_ arguments: [String]) async throws {
            tool = try BackgroundTool(ToolRunner.particlectlSim, ["station", "--json"] + arguments)
            line = try await tool.firstLine()
            world = try JSONDecoder().decode(World.self, from: Data(line.utf8))
        }

        func stop() { tool.stop() }
    }

    static let harness = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-station.py").path

    @Test func threeDevicesOneSilentPrintTheirJSONAndAnswerAsTold() async throws {
        let station = try await StationProcess(["--devices", "3", "--fault", "2=silent"])
        defer { station.stop() }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(station.line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["cloud_url", "token", "username", "ssid", "password", "devices"])
        let world = station.world
        #expect(world.cloud_url.hasPrefix("http://127.0.0.1:"))
        #expect(world.token.count == 40 && world.token.allSatisfy(\.isHexDigit))
        #expect(world.username == "dev@example.com")
        #expect(world.ssid == "HomeNet")
        #expect(world.password == "correct horse battery")
        #expect(world.devices.map(\.faults) == [[], ["silent"], []])
        #expect(world.devices.map(\.serial_number) == ["SIMARGON00001", "SIMARGON00002", "SIMARGON00003"])
        #expect(world.devices.map(\.device_id) == ["e00fce68a1b2c3d4e5f60718", "e00fce68a1b2c3d4e5d00001", "e00fce68a1b2c3d4e5d00002"])
        #expect(world.devices.map(\.mac) == ["6c:0b:84:5a:00:00", "6c:0b:84:5a:00:01", "6c:0b:84:5a:00:02"])
        #expect(Set(world.devices.map(\.port)).count == 3)
        #expect(world.devices.allSatisfy { $0.platform == "argon" && $0.port.hasPrefix("/dev/pts/") })

        for index in [0, 2] {
            let device = world.devices[index]
            let result = try await ToolRunner.particlectl(["serial", "identify", "--port", device.port, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == #"{"id":"\#(device.device_id)","serial_number":"\#(device.serial_number)"}"# + "\n")
        }
        let silent = world.devices[1].port
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", silent, "--timeout", "1"])
        #expect(result.status == 4)
        #expect(result.stderr == "particlectl: no answer from \(silent) within 1s — is the device in listening mode (blinking dark blue)? try `particlectl serial listen`\n")

        // The token is the world's: the cloud knows whom it belongs to.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-station-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let whoami = try await ToolRunner.particlectl(["whoami", "--json"], environment: [
            "PARTICLE_API_URL": world.cloud_url, "PARTICLE_AUTH": world.token, "XDG_CONFIG_HOME": home.path,
            "HOME": home.path,
        ])
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.contains(#""username":"dev@example.com""#))
    }

    @Test func theBannerNamesEveryDeviceAndTheCommandToRun() async throws {
        let result = try await ToolRunner.run(ToolRunner.particlectlSim, [
            "station", "--devices", "2", "--fault", "2=wrong-wifi", "--fault", "2=slow", "--duration", "1",
        ], timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutLines
        try #require(lines.count == 8, "\(result.stdout)")
        #expect(lines[0] == "Simulated station is up: 2 argon devices in listening mode.")
        #expect(lines[1].split(separator: " ") == ["#", "PORT", "DEVICE", "ID", "SERIAL", "NUMBER", "MAC", "FAULTS"])
        let rows = lines[2...3].map { $0.split(separator: " ").map(String.init) }
        #expect(rows[0].dropFirst(2) == ["e00fce68a1b2c3d4e5f60718", "SIMARGON00001", "6c:0b:84:5a:00:00", "-"])
        #expect(rows[1].dropFirst(2) == ["e00fce68a1b2c3d4e5d00001", "SIMARGON00002", "6c:0b:84:5a:00:01", "wrong-wifi,slow"])
        let url = try #require(lines[4].split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(lines[4] == "  fake cloud:     \(url)   (user dev@example.com, simulator token below)")
        #expect(lines[5] == "  Wi-Fi network:  HomeNet   (password: correct horse battery)")
        #expect(lines[6] == "Run the station against it:")
        let token = try #require(lines[7].split(separator: " ").first { $0.hasPrefix("PARTICLE_AUTH=") }?.dropFirst(14))
        #expect(token.count == 40)
        #expect(lines[7] == "  PARTICLE_API_URL=\(url) PARTICLE_AUTH=\(token) WIFI_PASSWORD='correct horse battery' particlectl station run --port \(rows[0][1]) --port \(rows[1][1]) --ssid HomeNet --password-env WIFI_PASSWORD --count 2")

        let help = try await ToolRunner.run(ToolRunner.particlectlSim, ["station", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--fault <N=KIND>"))
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("wrong-wifi (accepts the credentials but never comes online)"))
        #expect(words.contains("--replug-after <replug-after>"))
    }

    @Test(arguments: [
        ("2", "--fault 2 is not N=KIND; write e.g. --fault 3=silent (KIND: silent, unplug, wrong-wifi, slow)"),
        ("x=silent", "--fault x=silent does not start with a device number (1, 2, …); write e.g. --fault 3=silent"),
        ("0=silent", "--fault 0=silent does not start with a device number (1, 2, …); write e.g. --fault 3=silent"),
        ("2=loud", "unknown fault 'loud' in --fault; use one of silent, unplug, wrong-wifi, slow"),
        ("4=silent", "--fault names device 4 but there are 3 devices; number the devices from 1 to 3"),
    ])
    func badFaultValuesAreOneUsageLine(value: String, message: String) async throws {
        let result = try await ToolRunner.run(ToolRunner.particlectlSim,
                                              ["station", "--devices", "3", "--fault", value, "--json"], timeout: 10)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "particlectl sim: \(message) (see --help)\n")
    }

    @Test func anUnpluggedDeviceDisappearsInTheWiFiDialogue() async throws {
        let station = try await StationProcess(["--devices", "2", "--fault", "1=unplug"])
        defer { station.stop() }
        let port = station.world.devices[0].port
        let identify = try await ToolRunner.particlectl(["serial", "identify", "--port", port, "--json"])
        #expect(identify.status == 0, "\(identify.stderr)")
        let wifi = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", port, "--ssid", "HomeNet", "--password-stdin"], stdin: "correct horse battery\n")
        #expect(wifi.status == 6)
        #expect(wifi.stderr.hasPrefix("particlectl: \(port) disappeared (device unplugged or reset)"), "\(wifi.stderr)")
        #expect(!FileManager.default.fileExists(atPath: port))
    }

    @Test func anUnpluggedDeviceComesBackOnANewPortWithReplugAfter() async throws {
        let station = try await StationProcess(["--devices", "1", "--fault", "1=unplug", "--replug-after", "0.5"])
        defer { station.stop() }
        let device = station.world.devices[0]
        let wifi = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", device.port, "--ssid", "HomeNet", "--password-stdin"], stdin: "correct horse battery\n")
        #expect(wifi.status == 6, "\(wifi.stderr)")
        let announcement = "sim: serial \(device.device_id): plugged back in on "
        await eventually(within: 30) { station.tool.stderrText.contains(announcement) }
        let line = try #require(station.tool.stderrText.split(separator: "\n").first { $0.hasPrefix(announcement) })
        #expect(line.hasSuffix(" (listening mode)"))
        let port = String(line.dropFirst(announcement.count).prefix { $0 != " " })
        #expect(port.hasPrefix("/dev/pts/"))
        // Back without the fault: the whole dialogue now goes through.
        let again = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", port, "--ssid", "HomeNet", "--password-stdin", "--json"], stdin: "correct horse battery\n")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == #"{"port":"\#(port)","saved":true,"ssid":"HomeNet"}"# + "\n")
    }

    @Test func aWrongWiFiDeviceStaysOfflineWhileAHealthyOneComesOnline() async throws {
        let station = try await StationProcess(["--devices", "2", "--fault", "2=wrong-wifi"])
        defer { station.stop() }
        for device in station.world.devices {
            let wifi = try await ToolRunner.particlectl(
                ["serial", "wifi", "--port", device.port, "--ssid", "HomeNet", "--password-stdin"],
                stdin: "correct horse battery\n")
            #expect(wifi.status == 0, "\(wifi.stderr)")
        }
        let healthy = station.world.devices[0].device_id, wrong = station.world.devices[1].device_id
        var online: [String: Bool] = [:]
        let deadline = Date().addingTimeInterval(10)
        while online[healthy] != true, Date() < deadline {
            online = try await Self.onlineDevices(station.world.cloud_url)
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        try await Task.sleep(nanoseconds: 1_000_000_000) // well past the world's join delay (0.3 s)
        online = try await Self.onlineDevices(station.world.cloud_url)
        #expect(online[healthy] == true)
        #expect(online[wrong] == nil)
        #expect(station.tool.stderrText.contains("sim: serial \(wrong): cannot join HomeNet (simulated wrong Wi-Fi); stays offline"))
    }

    @Test func aSlowDeviceStillAnswersWithinTheUsualTimeout() async throws {
        let station = try await StationProcess(["--devices", "1", "--fault", "1=slow"])
        defer { station.stop() }
        let device = station.world.devices[0]
        let start = Date()
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", device.port, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(device.device_id))
        #expect(Date().timeIntervalSince(start) >= 0.4)
    }

    // MARK: - The hot-plug harness

    @Test func theHarnessPlugsTwoDevicesThatSerialWatchSees() async throws {
        let station = try await StationProcess(["--devices", "2"])
        defer { station.stop() }
        let (first, second) = (station.world.devices[0], station.world.devices[1])
        let control = """
            add 0 \(first.port) 1-1.3 c00c \(first.device_id)
            add 1 \(second.port) 1-1.4 c00c \(second.device_id)

            """
        let result = try await ToolRunner.run("/usr/bin/python3", [
            Self.harness, "--wait-ready", "Watching", "--timeout", "30", "--",
            ToolRunner.particlectl, "serial", "watch", "--json", "--count", "2", "--timeout", "20",
        ], stdin: control, timeout: 40)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines == [
            #"{"event":"add","mode":"normal","platform":"argon","platform_id":12,"port":"/dev/ttyACM0","product_id":"c00c","serial_number":"\#(first.device_id)","usb_path":"1-1.3","vendor_id":"2b04"}"#,
            #"{"event":"add","mode":"normal","platform":"argon","platform_id":12,"port":"/dev/ttyACM1","product_id":"c00c","serial_number":"\#(second.device_id)","usb_path":"1-1.4","vendor_id":"2b04"}"#,
        ])
        let usb = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"
        #expect(result.stderr.contains("umockdev-station: added ttyACM0 usb 1-1.3 2b04:c00c serial \(first.device_id) pty \(first.port) syspath \(usb)/1-1.3/1-1.3:1.0/tty/ttyACM0\n"))
        #expect(result.stderr.contains("umockdev-station: added ttyACM1 usb 1-1.4 2b04:c00c serial \(second.device_id) pty \(second.port) syspath \(usb)/1-1.4/1-1.4:1.0/tty/ttyACM1\n"))
    }

    @Test func aPluggedNodeIsTheSimulatedDevice() async throws {
        let station = try await StationProcess(["--devices", "1"])
        defer { station.stop() }
        let device = station.world.devices[0]
        let result = try await ToolRunner.run("/usr/bin/python3", [
            Self.harness, "--add", "0 \(device.port) 1-2 c00c \(device.device_id)", "--timeout", "30", "--",
            ToolRunner.particlectl, "serial", "identify", "--json",
        ], stdin: "", timeout: 40)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"id":"\#(device.device_id)","serial_number":"\#(device.serial_number)"}"# + "\n")
    }

    @Test func aRemovedDeviceIsReportedAndABadControlLineStopsTheHarness() async throws {
        let station = try await StationProcess(["--devices", "1"])
        defer { station.stop() }
        let device = station.world.devices[0]
        let watched = try await ToolRunner.run("/usr/bin/python3", [
            Self.harness, "--wait-ready", "Watching", "--timeout", "30", "--",
            ToolRunner.particlectl, "serial", "watch", "--json", "--count", "2", "--timeout", "20",
        ], stdin: "add 5 \(device.port) 2-1.2.7\nwait '\"event\":\"add\"'\nremove 5\n", timeout: 40)
        #expect(watched.status == 0, "\(watched.stderr)")
        #expect(watched.stdoutLines.map { $0.hasPrefix(#"{"event":"add""#) } == [true, false])
        #expect(watched.stdoutLines.last?.hasPrefix(#"{"event":"remove","mode":"normal","platform":"argon""#) == true)
        #expect(watched.stdoutLines.allSatisfy { $0.contains(#""port":"/dev/ttyACM5""#) })
        #expect(watched.stderr.contains("syspath /sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.2/2-1.2.7/2-1.2.7:1.0/tty/ttyACM5\n"))

        let bad = try await ToolRunner.run("/usr/bin/python3", [
            Self.harness, "--timeout", "10", "--", ToolRunner.particlectl, "serial", "watch", "--timeout", "5",
        ], stdin: "plug 1\n", timeout: 20)
        #expect(bad.status == 99)
        #expect(bad.stderr.contains("umockdev-station: bad control line 'plug 1'; expected add N PTY USB_PATH [PRODUCT] [SERIAL], remove N, sleep S or wait REGEX\n"))
    }

    /// Device ID → online, from the fake cloud's simulator endpoint.
    static func onlineDevices(_ cloudURL: String) async throws -> [String: Bool] {
        let url = try #require(URL(string: cloudURL + "/_sim/state"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let state = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let devices = state["devices"] as? [[String: Any]] ?? []
        var online: [String: Bool] = [:]
        for device in devices {
            if let id = device["id"] as? String { online[id] = device["online"] as? Bool ?? false }
        }
        return online
    }
}
