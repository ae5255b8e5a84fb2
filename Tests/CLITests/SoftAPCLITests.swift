import Foundation
import Glibc
import Testing

/// A `particlectl-sim softap` process on free loopback ports, stopped by its pid.
final class SoftAPSimProcess {
    let process = Process()
    let collector = OutputCollector()
    private(set) var tcp = ""
    private(set) var http = ""
    private(set) var deviceID = ""
    private(set) var firstLine = ""

    init(_ extra: [String] = []) async throws {
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectlSim)
        process.arguments = ["softap", "--tcp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--scan-ms", "20"] + extra
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collector = collector
        collector.collect(out.fileHandleForReading, to: .out)
        collector.collect(err.fileHandleForReading, to: .err)
        try process.run()
        // The first three lines say where it listens; wait for them, with a deadline (checked after a last look: a
        // test resumed late in a loaded run must still see what arrived meanwhile).
        let deadline = Date().addingTimeInterval(30)
        while true {
            let lines = collector.contents.0.split(separator: "\n").map(String.init)
            if let first = lines.first, first.hasPrefix("{"),
               let object = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: String] {
                firstLine = first
                tcp = object["tcp"] ?? ""
                http = object["http"] ?? ""
                deviceID = object["id"] ?? ""
                return
            }
            if lines.count >= 3 {
                firstLine = lines[0]
                tcp = lines[0].replacingOccurrences(of: "tcp ", with: "")
                http = lines[1].replacingOccurrences(of: "http ", with: "")
                deviceID = lines[2].replacingOccurrences(of: "device ", with: "")
                return
            }
            if process.exitSeen != nil || Date() > deadline { break }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        stop()
        throw SimulatorDidNotStart(output: collector.contents.0 + collector.contents.1)
    }

    struct SimulatorDidNotStart: Error { var output: String }

    func address(_ transport: String) -> String { transport == "tcp" ? tcp : http }

    /// Stops it (SIGTERM, then SIGKILL after a deadline) and returns everything it printed.
    @discardableResult
    func stop() -> String {
        process.terminate(grace: 5)
        let (out, err) = collector.contents
        return out + err
    }

    deinit { if process.exitSeen == nil { kill(process.processIdentifier, SIGKILL) } }
}

@Suite("particlectl softap against the simulated device")
struct SoftAPCLITests {
    static let password = "correct horse battery"
    static let claimCode = "Yq/0m+Hk9ZxT" + String(repeating: "b", count: 51)
    static let transports = ["tcp", "http"]

    func softap(_ sim: SoftAPSimProcess, _ transport: String, _ arguments: [String], stdin: String? = nil,
                timeout: Double = 30) async throws -> ToolResult {
        let command = arguments[0]
        return try await ToolRunner.particlectl(
            ["softap", command, "--address", sim.address(transport), "--protocol", transport] + arguments.dropFirst(),
            stdin: stdin, timeout: timeout)
    }

    @Test("setup configures the simulator end to end", arguments: transports)
    func setup(transport: String) async throws {
        let sim = try await SoftAPSimProcess()
        let result = try await softap(sim, transport, ["setup", "--ssid", "HomeNet", "--password-stdin", "--claim-code", Self.claimCode],
                                stdin: Self.password + "\n")
        let log = sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.timedOut)
        #expect(result.stdoutLines.last == sim.deviceID)
        #expect(result.stdoutLines.count >= 6)
        #expect(result.stderr.isEmpty)
        #expect(log.contains("event: claim-code-set claim_code=\(Self.claimCode)"))
        #expect(log.contains("event: wifi-saved ssid=HomeNet security=wpa2_aes channel=6 password=********"))
        #expect(log.contains("event: joined ssid=HomeNet"))
        for text in [result.stdout, result.stderr, log] { #expect(!text.contains(Self.password)) }
    }

    @Test("setup --json prints one object with a stable shape", arguments: transports)
    func setupJSON(transport: String) async throws {
        let sim = try await SoftAPSimProcess(["--device-id", "320020001847333531323135"])
        let result = try await softap(sim, transport, ["setup", "--ssid", "Café Libre", "--json"])
        sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "{\"channel\":11,\"claim_code_set\":false,\"claimed\":false,\"connect\":\"acknowledged\",\"id\":\"320020001847333531323135\",\"security\":\"open\",\"ssid\":\"Café Libre\"}\n")
    }

    @Test("info --json", arguments: transports)
    func info(transport: String) async throws {
        let sim = try await SoftAPSimProcess(["--device-id", "ABCDEF001847333531323135", "--claimed"])
        let result = try await softap(sim, transport, ["info", "--json"])
        sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "{\"claimed\":true,\"id\":\"abcdef001847333531323135\",\"version\":2}\n")
    }

    @Test("scan: table and JSON")
    func scan() async throws {
        let sim = try await SoftAPSimProcess()
        let table = try await softap(sim, "tcp", ["scan"])
        let json = try await softap(sim, "http", ["scan", "--json"])
        sim.stop()
        #expect(table.status == 0)
        #expect(table.stdoutLines.first?.hasPrefix("SSID") == true)
        #expect(table.stdout.contains("CorpNet"))
        #expect(table.stdout.contains("wpa2_mixed_ent"))
        #expect(json.status == 0)
        #expect(json.stdout.hasPrefix("[{\"channel\":6,\"rssi\":-48,\"sec\":4194308,\"security\":\"wpa2_aes\",\"ssid\":\"HomeNet\"},"))
    }

    @Test("public-key: size and fingerprint")
    func publicKey() async throws {
        let sim = try await SoftAPSimProcess()
        let result = try await softap(sim, "tcp", ["public-key", "--json"])
        sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\"bits\":1024,\"fingerprint\":\""))
        #expect(result.stdout.contains("-----BEGIN PUBLIC KEY-----"))
    }

    @Test("claim, configure and connect one by one", arguments: transports)
    func stepByStep(transport: String) async throws {
        let sim = try await SoftAPSimProcess()
        let claim = try await softap(sim, transport, ["claim", "--code", Self.claimCode, "--json"])
        let configure = try await softap(sim, transport, ["configure", "--ssid", "HomeNet", "--security", "wpa2_aes", "--channel", "6",
                                                    "--password-stdin", "--json"], stdin: Self.password)
        let connect = try await softap(sim, transport, ["connect", "--json"])
        let log = sim.stop()
        #expect(claim.stdout == "{\"claim_code_set\":true}\n")
        #expect(configure.stdout == "{\"channel\":6,\"configured\":true,\"sec\":4194308,\"security\":\"wpa2_aes\",\"ssid\":\"HomeNet\"}\n")
        #expect(connect.stdout == "{\"connect\":\"acknowledged\"}\n")
        #expect(log.contains("event: joined ssid=HomeNet claim_code=\(Self.claimCode)"))
    }

    @Test("--verbose shows the exchange on stderr but never the password")
    func verbose() async throws {
        let sim = try await SoftAPSimProcess()
        let result = try await softap(sim, "tcp", ["configure", "--ssid", "HomeNet", "--password-stdin", "--verbose"],
                                stdin: Self.password + "\n")
        sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("configure-ap"))
        #expect(!result.stderr.contains(Self.password))
        #expect(!result.stdout.contains(Self.password))
    }

    /// Each fault or refusal: the exit code and one stderr line (a typed error, never a hang or a trace).
    static let failures: [(String, [String], [String], Int32, String)] = [
        ("stall", ["--fault", "stall"], ["info", "--timeout", "1", "--attempts", "1"], 4, "did not finish its version reply"),
        ("garbage", ["--fault", "garbage"], ["info", "--attempts", "1"], 1, "reply is not valid"),
        ("drop", ["--fault", "drop"], ["info", "--attempts", "1"], 6, "closed in the middle"),
        ("empty", ["--fault", "empty@device-id"], ["info"], 1, "device rejected the request"),
        ("refuse", ["--fault", "refuse"], ["info", "--attempts", "1"], 6, "cannot connect"),
        ("not found", [], ["configure", "--ssid", "Elsewhere", "--password-stdin"], 3, "no network named \"Elsewhere\""),
        ("short password", [], ["configure", "--ssid", "HomeNet", "--password-stdin"], 2, "8 to 64 characters"),
        ("out of range", [], ["configure", "--ssid", "Elsewhere", "--security", "wpa2_aes", "--password-stdin"], 1, "cannot see that network"),
        ("claim too long", [], ["claim", "--code", String(repeating: "c", count: 64)], 2, "at most 63"),
        ("unknown security", [], ["configure", "--ssid", "X", "--security", "wpa9"], 2, "unknown --security"),
    ]

    @Test("faults and refusals: exit code and one clear line", arguments: failures)
    func failure(name: String, simArguments: [String], arguments: [String], status: Int32, message: String) async throws {
        let sim = try await SoftAPSimProcess(simArguments)
        let stdin = name == "short password" ? "short\n" : Self.password + "\n"
        let result = try await softap(sim, "tcp", arguments, stdin: stdin, timeout: 20)
        sim.stop()
        #expect(!result.timedOut)
        #expect(result.status == status, "\(name): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        if status != 2 {
            #expect(result.stderr.hasPrefix("particlectl: "))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(!result.stderr.contains(Self.password))
        #expect(!result.stderr.contains("short\n"))
    }

    /// Runs `particlectl ARGS…` on a real pseudo-terminal (Python's pty module), answers the password prompt with the
    /// password given on the helper's stdin, and returns everything the terminal showed.
    static let ptyHelper = """
        import os, pty, select, sys, time
        password = sys.stdin.readline().rstrip("\\n")
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        out, sent, deadline = b"", False, time.time() + 20
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not sent and b"Wi-Fi password for" in out:
                os.write(fd, password.encode() + b"\\n")
                sent = True
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(out.decode(errors="replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """

    @Test("without --password-stdin the password is asked for on the terminal, without echo")
    func passwordPrompt() async throws {
        let sim = try await SoftAPSimProcess()
        let result = try await ToolRunner.run(
            "/usr/bin/python3",
            ["-c", Self.ptyHelper, ToolRunner.particlectl, "softap", "configure", "--address", sim.tcp, "--ssid", "HomeNet"],
            stdin: Self.password + "\n", timeout: 30)
        let log = sim.stop()
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Wi-Fi password for HomeNet: "))
        #expect(result.stdout.contains("Wi-Fi credentials for HomeNet stored"))
        #expect(!result.stdout.contains(Self.password))
        #expect(log.contains("event: wifi-saved ssid=HomeNet security=wpa2_aes channel=6 password=********"))
    }

    @Test("enterprise networks: PEAP and EAP-TLS from files")
    func enterprise() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("softap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ["cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB/+\n-----END CERTIFICATE-----\n",
                     "key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE/+\n-----END PRIVATE KEY-----\n"]
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let sim = try await SoftAPSimProcess()
        // `serial wifi`'s names for the same fields work too: --username (--identity), --client-cert (--certificate).
        let peap = try await softap(sim, "tcp", ["configure", "--ssid", "CorpNet", "--eap", "peap", "--username", "alice",
                                           "--password-stdin", "--json"], stdin: "s3cret-corp\n")
        let tls = try await softap(sim, "http", ["configure", "--ssid", "CorpNet", "--eap", "tls",
                                           "--client-cert", folder.appendingPathComponent("cert.pem").path,
                                           "--private-key", folder.appendingPathComponent("key.pem").path])
        let missing = try await softap(sim, "tcp", ["configure", "--ssid", "CorpNet", "--password-stdin"], stdin: "s3cret-corp\n")
        let log = sim.stop()
        #expect(peap.status == 0, "\(peap.stderr)")
        #expect(peap.stdout == "{\"channel\":36,\"configured\":true,\"sec\":37748742,\"security\":\"wpa2_mixed_ent\",\"ssid\":\"CorpNet\"}\n")
        #expect(tls.status == 0, "\(tls.stderr)")
        #expect(log.contains("event: wifi-saved ssid=CorpNet security=wpa2_mixed_ent channel=36 password=******** identity=alice"))
        #expect(log.contains("private_key=********"))
        #expect(!log.contains("s3cret-corp"))
        #expect(!log.contains("MIIE"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("enterprise network"))
    }

    @Test("a lost connect-ap reply still reports the command as sent")
    func lostConnectReply() async throws {
        let sim = try await SoftAPSimProcess(["--fault", "lose-reply@connect-ap"])
        let result = try await softap(sim, "tcp", ["connect", "--json"])
        let log = sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "{\"connect\":\"sent\"}\n")
        // Sent once: one request line.
        #expect(log.components(separatedBy: "event: request transport=tcp command=connect-ap").count == 2, "\(log)")
    }

    @Test("the simulator prints its addresses as JSON and masks passwords in its JSON events")
    func simulatorJSON() async throws {
        let sim = try await SoftAPSimProcess(["--json"])
        let first = sim.firstLine
        let result = try await softap(sim, "tcp", ["configure", "--ssid", "HomeNet", "--password-stdin"], stdin: Self.password)
        let log = sim.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(log.contains("\"password\":\"********\""))
        #expect(!log.contains(Self.password))
        #expect(first.hasPrefix("{\"http\":\"127.0.0.1:"))
        #expect(first.contains("\"id\":\""))
        #expect(first.contains("\"tcp\":\"127.0.0.1:"))
    }
}
