import Foundation
import ParticleCore
import ParticleSerialCommands
import Testing

/// `particlectl`'s fast path (`SerialQuickCommand`): the plain `serial identify` / `identify` / `serial mac` /
/// `serial version` command lines skip ArgumentParser. Its output must be the full parser's, byte for byte: every
/// case runs the built front twice against the same simulated device, once as is and once with the fast path
/// switched off (`PARTICLECTL_NO_FAST_PATH`), and compares stdout, stderr and the exit code.
@Suite("particlectl fast path")
struct FastPathTests {
    static let noFastPath = ["PARTICLECTL_NO_FAST_PATH": "1"]

    /// Runs `arguments` both ways; returns the fast path's result after checking the full parser gave the same.
    func bothWays(_ arguments: [String], timeout: Double = 60) async throws -> ToolResult {
        let fast = try await ToolRunner.particlectl(arguments, timeout: timeout)
        let full = try await ToolRunner.particlectl(arguments, environment: Self.noFastPath, timeout: timeout)
        #expect(fast.stdout == full.stdout, "stdout differs for \(arguments)")
        #expect(fast.stderr == full.stderr, "stderr differs for \(arguments)")
        #expect(fast.status == full.status, "exit code differs for \(arguments)")
        #expect(!fast.timedOut && !full.timedOut)
        return fast
    }

    @Test func identifyMacAndVersionPrintTheSameBytesBothWays() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "argon", "--id", "E00FCE68A1B2C3D4E5F60718",
                                              "--mac", "E8:31:CD:00:11:22", "--os-version", "5.8.2"])
        defer { sim.stop() }
        let port = sim.port
        let identify = try await bothWays(["serial", "identify", "--port", port])
        #expect(identify.status == 0)
        #expect(identify.stdout == "Device ID: e00fce68a1b2c3d4e5f60718\n")
        let json = try await bothWays(["serial", "identify", "--json", "--port=\(port)"])
        #expect(json.stdout == #"{"id":"e00fce68a1b2c3d4e5f60718"}"# + "\n")
        let alias = try await bothWays(["identify", "--port", port, "--timeout", "2", "--json"])
        #expect(alias.stdout == json.stdout)
        let mac = try await bothWays(["serial", "mac", "--port", port])
        #expect(mac.stdout == "MAC address: e8:31:cd:00:11:22\n")
        let macJSON = try await bothWays(["serial", "mac", "--port", port, "--json"])
        #expect(macJSON.stdout == #"{"mac":"e8:31:cd:00:11:22"}"# + "\n")
        let version = try await bothWays(["serial", "version", "--timeout=3", "--port", port])
        #expect(version.stdout == "Device OS version: 5.8.2\n")
        let versionJSON = try await bothWays(["serial", "version", "--port", port, "--json"])
        #expect(versionJSON.stdout == #"{"version":"5.8.2"}"# + "\n")
    }

    @Test func aCellularIdentityAndTheVerboseTranscriptAreTheSameBothWays() async throws {
        let sim = try await SimulatedDeviceProcess(["--platform", "electron"])
        defer { sim.stop() }
        let human = try await bothWays(["serial", "identify", "--verbose", "--port", sim.port])
        #expect(human.stdout == "Device ID: 0123456789abcdef01234567\nIMEI: 352753090000000\nICCID: 89014103000000000000\n")
        #expect(human.stderr.hasPrefix(">> i\n"))
        let json = try await bothWays(["identify", "--port", sim.port, "--json", "--verbose"])
        #expect(json.stdout == #"{"iccid":"89014103000000000000","id":"0123456789abcdef01234567","imei":"352753090000000"}"# + "\n")
    }

    @Test func failuresAreTheSameBothWays() async throws {
        let missing = try await bothWays(["serial", "identify", "--port", "/dev/particlectl-no-such-port", "--json"])
        #expect(missing.status == 3)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("particlectl: "))
        #expect(missing.stderr.split(separator: "\n").count == 1)

        let sim = try await SimulatedDeviceProcess(["--fault", "silent"])
        defer { sim.stop() }
        let silent = try await bothWays(["serial", "identify", "--port", sim.port, "--timeout", "0.3"])
        #expect(silent.status == 4)
        #expect(silent.stdout.isEmpty)
        #expect(silent.stderr.contains(sim.port))
    }

    @Test(arguments: [
        ["serial", "identify", "--help"], ["identify", "-h"], ["serial", "identify", "--timeout", "0"],
        ["serial", "identify", "--timeout", "-1"], ["serial", "identify", "--port"], ["serial", "mac", "--port", "--json"],
        ["serial", "version", "--json=yes", "--port", "/dev/null"], ["serial", "identify", "--all", "--port", "/dev/x"],
        ["serial", "identify", "extra"], ["serial", "identify", "--bogus"],
    ])
    func whatTheFastPathDoesNotTakeTheFullParserAnswers(arguments: [String]) async throws {
        let result = try await bothWays(arguments, timeout: 10)
        #expect(SerialQuickCommand(arguments: arguments) == nil)
        #expect(!(result.stdout + result.stderr).isEmpty)
    }

    @Test func recognisesOnlyThePlainForms() throws {
        #expect(SerialQuickCommand(arguments: ["serial", "identify", "--port", "/dev/ttyACM0"])
                == SerialQuickCommand(query: .identify, port: "/dev/ttyACM0"))
        #expect(SerialQuickCommand(arguments: ["identify"]) == SerialQuickCommand(query: .identify))
        #expect(SerialQuickCommand(arguments: ["serial", "mac", "--json", "--verbose", "--timeout=2.5"])
                == SerialQuickCommand(query: .mac, timeout: Seconds(2.5), verbose: true, json: true))
        #expect(SerialQuickCommand(arguments: ["serial", "version", "--timeout", "20", "--port=/dev/x"])
                == SerialQuickCommand(query: .version, port: "/dev/x", timeout: Seconds(20)))
        // The default timeout is the option's default.
        #expect(SerialQuickCommand(arguments: ["identify"])?.timeout == Seconds(5))
        for arguments in [
            [], ["serial"], ["serial", "list"], ["serial", "inspect"], ["identify", "--json", "--json"],
            ["identify", "--port", "a", "--port", "b"], ["identify", "--timeout", "1", "--timeout", "2"],
            ["identify", "--port="], ["identify", "--port", "-"], ["identify", "--verbose=1"], ["identify", "--"],
            ["identify", "-v"], ["identify", "--timeout", "inf"], ["identify", "--timeout"], ["help", "identify"],
            ["--version"], ["identify", "--port", "/dev/x", "/dev/y"], ["serial", "identify", "--all"],
        ] {
            #expect(SerialQuickCommand(arguments: arguments) == nil, "\(arguments)")
        }
    }
}
