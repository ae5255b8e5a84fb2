import Foundation
import Glibc
import Testing

/// Input that used to crash, hang, be altered or be passed on to the device's line editor: every one is refused
/// with one usage line (exit 2) before anything is sent, in all three executables.
@Suite("Bad input to the serial commands and the shared option types")
struct SerialInputTests {
    static var particlectlNet: String { ToolRunner.productsDirectory.appendingPathComponent("particlectl-net").path }
    static let badDurations = ["inf", "1e300", "nan", "-1", "0", "1e-9"]

    /// Every duration option of the three executables, with the arguments it needs around it.
    static let durationOptions: [(executable: String, arguments: [String], option: String)] = [
        ("particlectl", ["serial", "identify"], "--timeout"),
        ("particlectl", ["identify"], "--timeout"),
        ("particlectl", ["serial", "wifi", "--ssid", "Bench"], "--timeout"),
        ("particlectl", ["serial", "watch"], "--timeout"),
        ("particlectl", ["serial", "monitor"], "--timeout"),
        ("particlectl-net", ["softap", "scan"], "--timeout"),
        ("particlectl-net", ["cloud", "subscribe"], "--timeout"),
        ("particlectl-net", ["firmware", "flash", "0123456789abcdef01234567", "functionVar"], "--timeout"),
        ("particlectl-net", ["provision", "--ssid", "Bench"], "--timeout"),
        ("particlectl-net", ["provision", "--ssid", "Bench"], "--online-timeout"),
        ("particlectl-sim", ["all"], "--duration"),
    ]

    static func path(of executable: String) -> String {
        ToolRunner.productsDirectory.appendingPathComponent(executable).path
    }

    @Test(arguments: badDurations)
    func everyDurationOptionRefusesANonsenseValueWithOneUsageLine(value: String) async throws {
        for item in Self.durationOptions {
            let result = try await ToolRunner.run(Self.path(of: item.executable), item.arguments + [item.option, value], timeout: 20)
            let what = "\(item.executable) \(item.arguments.joined(separator: " ")) \(item.option) \(value)"
            #expect(!result.timedOut, "\(what)")
            #expect(result.status == 2, "\(what): \(result.stderr)")
            #expect(result.stderr.hasPrefix("particlectl"), "\(what): \(result.stderr)")
            #expect(result.stderr.contains(": The value '\(value)' is invalid for '\(item.option) <"), "\(what): \(result.stderr)")
            #expect(result.stderr.contains("a duration is a number of seconds from 0.01 to 86400 (one day)"), "\(what): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(what): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(what)")
        }
    }

    @Test func aDirectoryOrAFileIsNotASerialPort() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-tty-\(UUID().uuidString)").path
        try #require(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        for port in ["/tmp", file] {
            let result = try await ToolRunner.particlectl(["serial", "identify", "--port", port])
            #expect(result.status == 2, "\(port): \(result.stderr)")
            #expect(result.stderr == "particlectl: \(port) is not a serial port — pass a device node such as /dev/ttyACM0 (see `particlectl serial list`)\n")
        }
    }

    /// Issue 11 item 14: as root the open succeeds despite TIOCEXCL, so the holder must be detected, and its
    /// exclusive mode must survive our close.
    @Test func aPortAnotherProgramHoldsExclusivelyIsInUseAndStaysExclusive() async throws {
        var master: Int32 = -1, slave: Int32 = -1
        try #require(openpty(&master, &slave, nil, nil, nil) == 0)
        defer { close(master); close(slave) }
        let tiocexcl: UInt = 0x540C, tiocgexcl: UInt = 0x8004_5440
        try #require(ioctl(slave, tiocexcl) == 0)
        let name = String(cString: ttyname(slave))
        let result = try await ToolRunner.particlectl(["serial", "identify", "--port", name, "--timeout", "0.5"])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stderr == "particlectl: \(name) is in use by another program (another particlectl, a serial monitor or ModemManager) — close it and retry\n")
        var exclusive: CInt = 0
        #expect(ioctl(slave, tiocgexcl, &exclusive) == 0)
        #expect(exclusive == 1)
    }

    /// Issue 11 item 7: `CommandLine.arguments` would turn the bytes FF FE into two U+FFFD; they are refused instead.
    @Test func anSSIDThatIsNotUTF8IsRefusedNotRepaired() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        let commands = [
            "printf 'correct horse\\n' | exec \"$0\" serial wifi --port \"$1\" --ssid \"$(printf 'Bench\\377\\376Net')\" --security wpa2 --password-stdin",
            "printf 'correct horse\\n' | exec \"$0\" softap configure --address 127.0.0.1:1 --ssid \"$(printf 'Bench\\377\\376Net')\" --security wpa2_aes --password-stdin",
            "printf 'correct horse\\n' | exec \"$0\" provision --port \"$1\" --ssid=\"$(printf 'Bench\\377\\376Net')\" --password-stdin",
        ]
        for command in commands {
            let result = try await ToolRunner.run("/bin/sh", ["-c", command, ToolRunner.particlectl, sim.port])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr == "particlectl: --ssid is not valid UTF-8 (Bench\\xff\\xfeNet): it would be altered, not sent as given — pass the name as UTF-8 text (see --help)\n", "\(command)")
        }
        // Nothing reached the device.
        await #expect(try ToolRunner.particlectl(["serial", "identify", "--port", sim.port]).status == 0)
        #expect(sim.events.isEmpty)
    }

    /// Issue 11 item 8: the console's line editor acts on BS and DEL (`ab\bcd` would be stored as `acd`).
    @Test(arguments: [
        ("ab\u{8}cd", "correct horse", "the SSID contains a backspace (0x08)"),
        ("Bench", "correct\u{7f}horse", "the password contains a DEL (0x7F)"),
        ("Ben\u{1b}[2Jch", "correct horse", "the SSID contains a control character (0x1B)"),
    ])
    func controlCharactersTheConsoleWouldActOnAreRefused(ssid: String, password: String, problem: String) async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", ssid, "--security", "wpa2", "--password-stdin"], stdin: password + "\n")
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: \(problem), which the device's console would act on instead of storing — remove it\n")
        #expect(sim.events.isEmpty)
    }

    /// Issue 11 item 9: a claim code is made of the characters the cloud issues (base64), and nothing else.
    @Test func claimCodesAreCheckedForTheCloudsCharactersBeforeSending() async throws {
        let sim = try await SimulatedDeviceProcess()
        defer { sim.stop() }
        let good = "rCFr2KAJNgzJ2rR3Jm1ZoUd7G4Sr3ak7MRHdWrM274eYzInP1+psZ0fP2qNehlj"
        for bad in [String(good.dropLast()) + "_", String(good.dropLast()) + "!", String(good.dropLast()) + "\u{8}"] {
            let result = try await ToolRunner.particlectl(["serial", "claim", "--port", sim.port, "--code", bad])
            #expect(result.status == 2, "\(bad): \(result.stderr)")
            #expect(result.stderr.hasPrefix("particlectl: "))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(sim.events.isEmpty)
        let result = try await ToolRunner.particlectl(["serial", "claim", "--port", sim.port, "--code", good])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await sim.waitForEvent(containing: "claim-code-set claim_code=\(good)"))
    }

    /// Issue 9 item 3: a WPA passphrase may begin and end with spaces; only the line ending is removed.
    @Test func aPassphraseWithSurroundingSpacesReachesTheDeviceExactly() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        let passphrase = "  spaced passphrase  "
        let result = try await ToolRunner.particlectl(
            ["serial", "wifi", "--port", sim.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin"],
            stdin: passphrase + "\r\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await sim.waitForEvent(containing: "wifi-saved password_length=21 security=wpa2 ssid=Bench"))
    }

    @Test func provisionSendsAPassphraseWithSpacesExactly() async throws {
        let cloud = try await SimCloudProcess()
        defer { cloud.stop() }
        // An ID the fake cloud does not know yet (its seed has the default one claimed and online).
        let device = try await SimulatedDeviceProcess(["--platform", "argon", "--id", "0123456789abcdef0123abcd"])
        defer { device.stop() }
        let login = try await cloud.run(["login", "--username", "dev@example.com", "--password-stdin"], stdin: "dev-password\n")
        try #require(login.status == 0, "\(login.stderr)")
        // The device never comes online (no simulated world joins it to the cloud): only the Wi-Fi step matters.
        _ = try await cloud.run(["provision", "--port", device.port, "--ssid", "Bench", "--security", "wpa2", "--password-stdin",
                           "--online-timeout", "1"], stdin: "  spaced passphrase  \n", timeout: 40)
        #expect(await device.waitForEvent(containing: "wifi-saved password_length=21 security=wpa2 ssid=Bench"))
    }
}
