import Foundation
import Testing

/// The built executables with the real libusb, against simulated Particle USB devices: umockdev fakes sysfs and
/// /dev/bus/usb, and `scripts/test/umockdev-usb.py` answers every usbdevfs URB the way Device OS answers control
/// requests (and logs each setup packet, so the tests check the bytes on the wire).
@Suite("usb commands under umockdev")
struct USBCommandsTests {
    static let simulator = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-usb.py").path
    static let firstID = "e00fce680123456789abcd00"
    static let secondID = "e00fce680123456789abcd01"

    /// What one run produced: the tool's result and the setup packets the devices saw (`<usb path> <hex> <data>`).
    struct Run {
        var result: ToolResult
        var wire: [String]
    }

    /// Runs `program` (default: particlectl-net, or a shell line with `shell`) under the simulator with `devices`
    /// (one spec each, see the script's help).
    static func run(_ arguments: [String], devices: [String], front: Bool = false, shell: String? = nil,
                    timeout: Double = 40) async throws -> Run {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("usb-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var harness = [simulator, "--log", log.path]
        for device in devices { harness += ["--device", device] }
        harness.append("--")
        if let shell {
            harness += ["/bin/sh", "-c", shell.replacingOccurrences(of: "NET", with: ToolRunner.particlectlNet)]
        } else {
            harness += [front ? ToolRunner.particlectl : ToolRunner.particlectlNet] + arguments
        }
        let result = try await ToolRunner.run("/usr/bin/python3", harness, timeout: timeout)
        let wire = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return Run(result: result, wire: wire)
    }

    @Test func identifySendsExactlyTheseSetupPackets() async throws {
        let run = try await Self.run(["usb", "identify", "--json"], devices: ["platform=12"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == #"{"device_id":"e00fce680123456789abcd00","mode":"normal","platform":"argon","system_version":"6.2.0","usb_path":"1-1"}"# + "\n")
        #expect(run.wire == [
            "1-1 c005000000004000 -",  // RESET(0): drop requests of an earlier session
            "1-1 c050000014004000 -",  // 'P' device ID
            "1-1 c05000001e004000 -",  // 'P' system version
            "1-1 c001000048004000 -",  // INIT GET_DEVICE_MODE (72), no payload
            "1-1 c002000001004000 -",  // CHECK id 1: PENDING
            "1-1 c002000001004000 -",  // CHECK id 1: done, empty reply (normal mode)
        ])
    }

    @Test func theFrontHandsUSBCommandsToTheNetExecutable() async throws {
        let run = try await Self.run(["usb", "identify"], devices: ["platform=13,version=6.1.1,listening=1"], front: true)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == "Device ID: \(Self.firstID)\nDevice OS: 6.1.1\nMode: listening\n"
            + "ICCID: 89014103211118510720\nIMEI: 352753090000000\n")
    }

    @Test func macReadsTheWiFiInterfacesAddress() async throws {
        let run = try await Self.run(["usb", "mac", "--all", "--json"], devices: ["platform=32", "platform=13"])
        #expect(run.result.status == 3)
        #expect(run.result.stdout == "[" + [
            #"{"device_id":"e00fce680123456789abcd00","interface":"wl4","mac":"a4:cf:12:ab:cd:00","platform":"p2","usb_path":"1-1"}"#,
            #"{"device_id":"e00fce680123456789abcd01","error":"the device at 1-2 has no Wi-Fi or Ethernet interface with a MAC address","exit_code":3,"platform":"boron","usb_path":"1-2"}"#,
        ].joined(separator: ",") + "]\n")
        // 400 without payload, then 401 with {1: 4} (the Wi-Fi interface's index).
        #expect(run.wire.contains("1-1 c001000090014000 -"))
        // Both devices are asked at once: the other device's requests can come between this one's, so read its own.
        let first = run.wire.filter { $0.hasPrefix("1-1 ") }
        let detail = try #require(first.firstIndex(of: "1-1 c001020091014000 -"))
        try #require(first.count > detail + 1)
        #expect(first[detail + 1] == "1-1 4003000002000200 0804")
    }

    @Test func inspectListsTheModulesAndTheirValidity() async throws {
        let run = try await Self.run(["usb", "inspect"], devices: ["platform=32,bad_user_part=1"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == """
            bootloader 0 v3000 [main] 49152 bytes, valid
            system_part 1 v6200 [main] 1048576 bytes, valid; needs bootloader 0 v3000
            user_part 1 v6 [main] 5120 bytes, FAILED dependencies; needs system_part 1 v6200

            """)
        let json = try await Self.run(["usb", "inspect", "--json"], devices: ["platform=32"])
        #expect(json.result.stdout.hasPrefix(#"{"device_id":"e00fce680123456789abcd00","modules":[{"dependencies":[],"failed_checks":[],"index":0,"size":49152,"store":"main","type":"bootloader","valid":true,"version":3000},"#))
        #expect(json.wire.contains("1-1 c00100005a004000 -"))  // INIT GET_MODULE_INFO (90)
    }

    @Test func wifiJoinSendsTheCredentialsAndTheDeviceReportsTheNetwork() async throws {
        let run = try await Self.run([], devices: ["platform=32"], shell: """
            echo secret123 | NET usb wifi join --ssid Bench --password-stdin --json && NET usb wifi current --json \
            && NET usb wifi list --json
            """)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdoutLines == [
            #"{"device_id":"e00fce680123456789abcd00","platform":"p2","ssid":"Bench","usb_path":"1-1"}"#,
            #"{"device_id":"e00fce680123456789abcd00","network":{"bssid":"a0:b1:c2:d3:e4:f5","channel":6,"rssi":-45,"ssid":"Bench"},"platform":"p2","usb_path":"1-1"}"#,
            #"{"device_id":"e00fce680123456789abcd00","networks":[{"security":"wpa2","ssid":"Bench"}],"platform":"p2","usb_path":"1-1"}"#,
        ])
        // INIT 500 announcing 24 bytes, then {1 "Bench", 3 WPA2_PSK, 4 {1 PASSWORD, 2 "secret123"}} in one SEND.
        let join = try #require(run.wire.firstIndex(of: "1-1 c0011800f4014000 -"))
        #expect(run.wire[join + 1] == "1-1 4003000001001800 0a0542656e63681803220d08011209736563726574313233")
        // The password is on the wire only: never in particlectl's output.
        #expect(!run.result.stdout.contains("secret123") && !run.result.stderr.contains("secret123"))
    }

    @Test func wifiScanAddRemoveAndClear() async throws {
        let run = try await Self.run([], devices: ["platform=12,version=6.2.0"], shell: """
            NET usb wifi scan && echo pass4567 | NET usb wifi add --ssid Home --security wpa3 --password-stdin \
            && NET usb wifi add --ssid Cafe --no-password && NET usb wifi list && NET usb wifi remove --ssid Home \
            && NET usb wifi list && NET usb wifi clear && NET usb wifi list
            """)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdoutLines == [
            "Bench  wpa2  channel 6  -45 dBm", "Office  wpa3  channel 11  -71 dBm",
            "Stored Home.", "Stored Cafe.", "Home  wpa3", "Cafe  none", "Removed Home.", "Cafe  none",
            "Cleared every stored network.", "No networks stored.",
        ])
    }

    @Test func wifiRulesAndRefusals() async throws {
        let short = try await Self.run([], devices: ["platform=32"],
                                       shell: "echo short | NET usb wifi join --ssid Bench --password-stdin")
        #expect(short.result.status == 2)
        #expect(short.result.stderr == "particlectl: a WPA password must be 8 to 64 characters long\n")
        let oldOS = try await Self.run([], devices: ["platform=32,version=6.1.1"],
                                       shell: "echo secret123 | NET usb wifi add --ssid Bench --password-stdin")
        #expect(oldOS.result.status == 1)
        #expect(oldOS.result.stderr.contains("does not support request WIFI_SET_NETWORK_CREDENTIALS (507) (-120)"))
        let cellular = try await Self.run(["usb", "wifi", "scan"], devices: ["platform=13"])
        #expect(cellular.result.status == 1)
        #expect(cellular.result.stderr.contains("does not support request WIFI_SCAN_NETWORKS (506)"))
        let notConnected = try await Self.run(["usb", "wifi", "current"], devices: ["platform=32"])
        #expect(notConnected.result.status == 3)
        #expect(notConnected.result.stderr == "particlectl: the device at 1-1 is not connected to a Wi-Fi network\n")
    }

    /// A user-part image as the simulator checks it: payload, then the big-endian CRC-32 of the payload.
    static func image(count: Int) throws -> URL {
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in payload {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        let bytes = payload + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("usb-app-\(UUID().uuidString).bin")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func flashLocalLoadsTheBinaryAndTheDeviceRestartsWithIt() async throws {
        let file = try Self.image(count: 2996)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await Self.run(["flash", "--local", file.path, "--json"], devices: ["platform=32"], front: true)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == #"{"bytes":3000,"device_id":"e00fce680123456789abcd00","platform":"p2","usb_path":"1-1","user_part_version":7,"verified":true}"# + "\n")
        // START {1: 3000}, then 1024 + 1024 + 952 bytes of DATA ({1: chunk} = 1027, 1027, 955 bytes), then FINISH.
        let inits = run.wire.filter { $0.contains(" c001") }.map { String($0.dropFirst(4).prefix(16)) }
        #expect(inits.contains("c0010300fa004000"))
        #expect(inits.filter { $0 == "c0010304fd004000" }.count == 2)
        #expect(inits.contains("c001bb03fd004000"))
        #expect(inits.contains("c0010000fb004000"))
    }

    @Test func aBrokenImageIsRefusedAndTheDeviceKeepsItsFirmware() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("usb-bad-\(UUID().uuidString).bin")
        try Data(repeating: 0x55, count: 2000).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await Self.run([], devices: ["platform=32"],
                                     shell: "NET flash --local \(file.path); echo status=$?; NET usb inspect --json")
        #expect(run.result.stdoutLines.first == "status=1")
        #expect(run.result.stderr == "particlectl: the device at 1-1 answered request FINISH_FIRMWARE_UPDATE (251) with "
            + "firmware integrity check failed (-1330); check the device's state and try again\n")
        #expect(run.result.stdoutLines.last?.contains(#""size":5120,"store":"main","type":"user_part","valid":true,"version":6"#) == true)
    }

    @Test func aFlashInterruptedHalfWayKeepsTheOldFirmwareAndARerunCompletes() async throws {
        let file = try Self.image(count: 4996)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try await Self.run([], devices: ["platform=32,drop_at_chunk=3"], shell: """
            NET flash --local \(file.path); echo status=$?; sleep 3; NET usb inspect; NET flash --local \(file.path) --json
            """)
        #expect(run.result.stdoutLines.first == "status=6", "\(run.result.stderr)")
        #expect(run.result.stderr.contains("disconnected during request FIRMWARE_UPDATE_DATA (253)"))
        #expect(run.result.stdoutLines.contains("user_part 1 v6 [main] 5120 bytes, valid; needs system_part 1 v6200"))
        #expect(run.result.stdoutLines.last == #"{"bytes":5000,"device_id":"e00fce680123456789abcd00","platform":"p2","usb_path":"1-1","user_part_version":7,"verified":true}"#)
        #expect(run.result.status == 0)
    }

    @Test func identifyReportsICCIDAndIMEIOfACellularDevice() async throws {
        let run = try await Self.run(["usb", "identify", "--json"], devices: ["platform=13,iccid=8901,imei=3527"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == #"{"device_id":"e00fce680123456789abcd00","iccid":"8901","imei":"3527","mode":"normal","platform":"boron","system_version":"6.2.0","usb_path":"1-1"}"# + "\n")
        #expect(run.wire.contains("1-1 c00100002a024000 -"))  // INIT GET_ICCID (554)
    }

    @Test func listShowsEachDevicesMode() async throws {
        let run = try await Self.run(["usb", "list", "--json"],
                                     devices: ["platform=13", "platform=12,listening=1", "platform=32,protected=1"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == "[" + [
            #"{"device_id":"e00fce680123456789abcd00","mode":"normal","platform":"boron","port":null,"usb_path":"1-1"}"#,
            #"{"device_id":"e00fce680123456789abcd01","mode":"listening","platform":"argon","port":null,"usb_path":"1-2"}"#,
            #"{"device_id":"e00fce680123456789abcd02","mode":"protected","platform":"p2","port":null,"usb_path":"1-3"}"#,
        ].joined(separator: ",") + "]\n")
    }

    @Test func listenPutsTheDeviceInListeningMode() async throws {
        let run = try await Self.run([], devices: ["platform=12"],
                                     shell: "NET usb listen --json && NET usb list --json")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdoutLines == [
            #"{"device_id":"e00fce680123456789abcd00","listening":true,"platform":"argon","usb_path":"1-1"}"#,
            #"[{"device_id":"e00fce680123456789abcd00","mode":"listening","platform":"argon","port":null,"usb_path":"1-1"}]"#,
        ])
        // INIT START_LISTENING (70), then INIT GET_DEVICE_MODE (72) until the device says it listens.
        let start = try #require(run.wire.firstIndex(of: "1-1 c001000046004000 -"))
        #expect(run.wire[(start + 1)...].contains("1-1 c001000048004000 -"))
    }

    @Test func stopListeningAndClaimedAnswer() async throws {
        let run = try await Self.run([], devices: ["platform=12,listening=1,claimed=1"],
                                     shell: "NET usb stop-listening && NET usb claimed --json && NET usb list")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        try #require(run.result.stdoutLines.count == 4, "\(run.result.stdout)")
        #expect(run.result.stdoutLines[0] == "The device left listening mode.")
        #expect(run.result.stdoutLines[1] == #"{"claimed":true,"device_id":"e00fce680123456789abcd00","platform":"argon","usb_path":"1-1"}"#)
        #expect(run.result.stdoutLines[3].contains(" normal "))
        #expect(run.wire.contains("1-1 c001000047004000 -"))  // INIT STOP_LISTENING (71)
        #expect(run.wire.contains("1-1 c0010000c9004000 -"))  // INIT IS_CLAIMED (201)
    }

    @Test func claimSendsTheCodeAsAProtobufPayload() async throws {
        let run = try await Self.run(["usb", "claim", "--code", "abcde", "--json"], devices: ["platform=12"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == #"{"claim_code_set":true,"device_id":"e00fce680123456789abcd00","platform":"argon","usb_path":"1-1"}"# + "\n")
        // INIT SET_CLAIM_CODE (200) announcing 7 bytes, then SEND right away (≤ 64 bytes) with field 1 = "abcde".
        let initIndex = try #require(run.wire.firstIndex(of: "1-1 c0010700c8004000 -"))
        #expect(run.wire[initIndex + 1] == "1-1 4003000001000700 0a056162636465")
        #expect(run.wire[initIndex + 2] == "1-1 c002000001004000 -")
    }

    @Test func aBadClaimCodeIsAUsageError() async throws {
        let run = try await Self.run(["usb", "claim", "--code", String(repeating: "x", count: 64)], devices: ["platform=12"])
        #expect(run.result.status == 2)
        #expect(run.result.stderr.contains("--code must be 1 to 63 printable ASCII characters"))
        #expect(run.wire.isEmpty)
    }

    @Test func aProtectedDeviceSaysSo() async throws {
        let run = try await Self.run(["usb", "listen"], devices: ["platform=32,protected=1"])
        #expect(run.result.status == 1)
        #expect(run.result.stderr == "particlectl: the device at 1-1 is in Protected mode (Device OS 6): it refuses request "
            + "START_LISTENING (70) (-1801); unprotect it or put it in Service Mode, then try again\n")
    }

    @Test func busyIsRetriedUntilTheDeviceAcceptsTheRequest() async throws {
        let run = try await Self.run(["usb", "claimed", "--json"], devices: ["platform=12,busy=3"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout.contains(#""claimed":false"#))
        #expect(run.wire.filter { $0 == "1-1 c0010000c9004000 -" }.count == 4)
    }

    @Test func aRequestThatNeverFinishesTimesOutAndIsReset() async throws {
        let start = Date()
        let run = try await Self.run(["usb", "listen", "--timeout", "1.5"], devices: ["platform=12,hang=70"])
        #expect(run.result.status == 4)
        #expect(run.result.stderr == "particlectl: the device at 1-1 did not finish request START_LISTENING (70) in time; "
            + "check that it is running Device OS (not DFU) and try again\n")
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(run.wire.last == "1-1 c005000001004000 -")  // RESET(1) for the abandoned request
    }

    @Test func aTransferThatIsNeverAnsweredIsCancelledAndTheNextOneWorks() async throws {
        let run = try await Self.run([], devices: ["platform=12,silent=70"],
                                     shell: "NET usb listen --timeout 1; echo status=$?; NET usb listen --json")
        #expect(run.result.stdoutLines.first == "status=4", "\(run.result.stderr)")
        #expect(run.result.stdoutLines.last == #"{"device_id":"e00fce680123456789abcd00","listening":true,"platform":"argon","usb_path":"1-1"}"#)
        #expect(run.result.status == 0)
    }

    @Test func aStalledRequestIsRefused() async throws {
        let run = try await Self.run(["usb", "claimed"], devices: ["platform=12,stall=201"])
        #expect(run.result.status == 1)
        #expect(run.result.stderr == "particlectl: the device at 1-1 refused request IS_CLAIMED (201) (USB stall); "
            + "it may not support it in its current mode\n")
    }

    @Test func aDeviceUnpluggedMidRequestIsAnIOError() async throws {
        let run = try await Self.run(["usb", "listen"], devices: ["platform=12,unplug=70"])
        #expect(run.result.status == 6)
        #expect(run.result.stderr == "particlectl: the device at 1-1 disconnected during request START_LISTENING (70); "
            + "plug it back in and try again\n")
    }

    @Test func cloudStatusWaitsUntilConnected() async throws {
        let run = try await Self.run(["usb", "cloud-status", "--until", "connected", "--timeout", "10", "--json"],
                                     devices: ["platform=12,connect_after=2"])
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(run.result.stdout == #"{"cloud":"connected","device_id":"e00fce680123456789abcd00","platform":"argon","usb_path":"1-1"}"# + "\n")
        #expect(run.wire.filter { $0 == "1-1 c00100002c014000 -" }.count == 3)  // INIT 300, three polls
    }

    @Test func cloudStatusGivesUpAfterTheTimeout() async throws {
        let run = try await Self.run(["usb", "cloud-status", "--until", "connected", "--timeout", "1"], devices: ["platform=12"])
        #expect(run.result.status == 4)
        #expect(run.result.stderr == "particlectl: the device at 1-1 is still disconnected after 1 s; check its Wi-Fi or cellular connection\n")
    }

    @Test func dfuResetAndSafeModeAreAcknowledged() async throws {
        let run = try await Self.run([], devices: ["platform=13", "platform=13", "platform=12"],
                                     shell: "NET usb reset --device 1-1 --json && NET usb safe-mode --device \(Self.secondID) && NET usb dfu --device 1-3 && sleep 3 && NET usb list --json")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        try #require(run.result.stdoutLines.count >= 4, "\(run.result.stdout)")
        #expect(run.result.stdoutLines[0] == #"{"device_id":"e00fce680123456789abcd00","platform":"boron","reset":true,"usb_path":"1-1"}"#)
        #expect(run.result.stdoutLines[1] == "The device restarts in safe mode in about a second.")
        #expect(run.result.stdoutLines[2] == "The device resets into DFU mode in about a second.")
        // The Argon came back with its DFU product ID.
        #expect(run.result.stdoutLines[3].contains(#"{"device_id":"e00fce680123456789abcd02","mode":"dfu","platform":"argon","port":null,"usb_path":"1-3"}"#))
        #expect(run.wire.contains("1-1 c001000028004000 -"))  // INIT RESET (40)
        #expect(run.wire.contains("1-2 c00100003c004000 -"))  // INIT SAFE_MODE (60)
        #expect(run.wire.contains("1-3 c001000032004000 -"))  // INIT DFU_MODE (50)
    }

    @Test func allAsksEightDevicesConcurrently() async throws {
        let devices = (0..<8).map { "platform=\($0 % 2 == 0 ? 12 : 13)" }
        let run = try await Self.run(["usb", "identify", "--all", "--json"], devices: devices)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(run.result.stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["usb_path"] as? String } == (1...8).map { "1-\($0)" })
        #expect(list.map { $0["device_id"] as? String } == (0..<8).map { "e00fce680123456789abcd0\($0)" })
        #expect(list.allSatisfy { $0["mode"] as? String == "normal" })
    }

    @Test func allReportsEachDevicesFailure() async throws {
        let run = try await Self.run(["usb", "listen", "--all", "--json"], devices: ["platform=12", "platform=32,protected=1"])
        #expect(run.result.status == 1)
        #expect(run.result.stdout == "[" + [
            #"{"device_id":"e00fce680123456789abcd00","listening":true,"platform":"argon","usb_path":"1-1"}"#,
            #"{"device_id":"e00fce680123456789abcd01","error":"the device at 1-2 is in Protected mode (Device OS 6): it refuses request START_LISTENING (70) (-1801); unprotect it or put it in Service Mode, then try again","exit_code":1,"platform":"p2","usb_path":"1-2"}"#,
        ].joined(separator: ",") + "]\n")
    }

    @Test func severalDevicesNeedAChoice() async throws {
        let run = try await Self.run(["usb", "identify"], devices: ["platform=12", "platform=13"])
        #expect(run.result.status == 3)
        #expect(run.result.stderr == "particlectl: Several Particle devices found (1-1, 1-2); choose one with --device or use --all\n")
    }

    @Test func anUnknownDeviceIsNotFound() async throws {
        let run = try await Self.run(["usb", "identify", "--device", "e00fce68ffffffffffffffff"], devices: ["platform=12"])
        #expect(run.result.status == 3)
        #expect(run.result.stderr == "particlectl: No Particle device e00fce68ffffffffffffffff is attached (see `particlectl usb list`)\n")
    }

    @Test func nothingAttachedIsNotFound() async throws {
        let run = try await Self.run(["usb", "identify", "--all", "--json"], devices: [])
        #expect(run.result.status == 3)
        #expect(run.result.stdout == "[]\n")
        #expect(run.result.stderr == "particlectl: No Particle device found (is it plugged in? see udev-rules/ for permissions)\n")
    }

    @Test func aSingleDeviceFailureWithJSONIsOneObject() async throws {
        let run = try await Self.run(["usb", "claimed", "--json"], devices: ["platform=32,protected=1"])
        #expect(run.result.status == 1)
        #expect(run.result.stdout == #"{"error":"the device at 1-1 is in Protected mode (Device OS 6): it refuses request IS_CLAIMED (201) (-1801); unprotect it or put it in Service Mode, then try again","exit_code":1}"# + "\n")
    }
}
