import Foundation
import Glibc
import Testing

/// Issue 11 / issue 9 cases on the cloud side, through the built executables against `particlectl sim cloud`.
@Suite(.serialized) struct CloudFaultCLITests {
    static let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J"
    static let hostileEscaped = #"\x1b]0;pwned\x07\x1b[2J"#

    func login(_ sim: SimCloudProcess) async throws {
        let result = try await sim.run(["login", "--username", "dev@example.com", "--password-stdin"], stdin: "dev-password\n")
        try #require(result.status == 0, "stderr: \(result.stderr)")
    }

    func requestCount(_ sim: SimCloudProcess) async throws -> Int {
        try #require(try await sim.sim("GET", "/_sim/requests") as? [Any]).count
    }

    @Test func malformedAPIURLIsAUsageErrorBeforeAnyRequest() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let ftp = try await sim.run(["cloud", "devices", "--api-url", "ftp://api.particle.io"])
        #expect(ftp.status == 2)
        #expect(ftp.stderr == #"particlectl: --api-url "ftp://api.particle.io" uses ftp://; the API URL must start with http:// or https:// (see --help)"# + "\n")
        let words = try await sim.run(["login", "--username", "dev@example.com", "--password-stdin", "--api-url", "not a url"],
                                stdin: "dev-password\n")
        #expect(words.status == 2)
        #expect(words.stderr.hasPrefix(#"particlectl: --api-url "not a url" is not a URL"#))
        #expect(words.stderr.split(separator: "\n").count == 1)
        let noHost = try await sim.run(["cloud", "devices"], environment: ["PARTICLE_API_URL": "http://"])
        #expect(noHost.status == 2)
        #expect(noHost.stderr == #"particlectl: PARTICLE_API_URL "http://" has no host; expected http(s)://HOST[:PORT] (see --help)"# + "\n")
        #expect(try await requestCount(sim) == 0)
    }

    @Test func aRejectedTokenFromPARTICLE_AUTHSaysSo() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let result = try await sim.run(["cloud", "devices"], environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"])
        #expect(result.status == 5)
        #expect(result.stderr == "particlectl: the cloud rejected the access token from PARTICLE_AUTH (HTTP 401: The access token provided is invalid.); set PARTICLE_AUTH to a valid token, or unset it to use the one `particlectl login` stores\n")
        let whoami = try await sim.run(["whoami"], environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"])
        #expect(whoami.status == 5)
        #expect(whoami.stderr.contains("from PARTICLE_AUTH"))
    }

    @Test func anOversizedReplyIsExit1TooLarge() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"oversized_replies":1}"#)
        let result = try await sim.run(["cloud", "devices"])
        #expect(result.status == 1)
        #expect(result.stderr == "particlectl: the reply from \(sim.url) is larger than 16 MB (GET /v1/devices); check --api-url\n")
    }

    @Test func hostileCloudTextIsEscapedForHumansAndExactInJSON() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        await #expect(try sim.run(["cloud", "notes", "gongbot", Self.hostile]).status == 0)
        let human = try await sim.run(["cloud", "device", "gongbot"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("Notes:     \(Self.hostileEscaped)\n"))
        #expect(!human.stdout.contains("\u{1B}") && !human.stdout.contains("\u{07}"))
        let json = try await sim.run(["cloud", "device", "gongbot", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["notes"] as? String == Self.hostile)

        // An API error message that repeats what was asked for.
        let missing = try await sim.run(["cloud", "get", "gongbot", Self.hostile])
        #expect(missing.status == 3)
        #expect(missing.stderr == "particlectl: not found (HTTP 404: Unknown Variable: \(Self.hostileEscaped)); check the name or ID\n")
    }

    @Test func subscribeRetriesOpeningWithinTimeout() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"stream_errors":1000}"#)
        let started = Date()
        let result = try await sim.run(["cloud", "subscribe", "--timeout", "1.5", "--verbose"])
        #expect(result.status == 4)
        #expect(result.stderr.hasSuffix("particlectl: the event stream did not open within 1.5 s (the cloud kept failing); try again later, --verbose shows each attempt\n"))
        #expect(result.stderr.contains("particlectl: event stream not open (HTTP 503); retrying in "))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aMalformedMFACodeOnStdinIsRefusedWithoutSpendingATry() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let result = try await sim.run(["login", "--username", "mfa@example.com", "--password-stdin"], stdin: "mfa-password\n12345\n")
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: the MFA code on stdin must be 6 digits (nothing was sent)\n")
        let requests = try #require(try await sim.sim("GET", "/_sim/requests") as? [[String: Any]])
        #expect(requests.count == 1)  // the password grant only; no OTP was sent
    }

    /// `login` at a real terminal (a pty from `script`): a wrong password is asked again, a malformed MFA code is
    /// refused on the spot and asked again, and the password never shows.
    @Test func loginOnATerminalAsksAgainAfterAWrongPassword() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in sim.environment { environment[key] = value }
        let command = [ToolRunner.particlectl, "login", "--username", "mfa@example.com"].map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qefc", command, "/dev/null"]
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let collector = OutputCollector()
        try process.run()
        streamOnThread(output.fileHandleForReading.fileDescriptor, into: collector, as: .out)
        defer { if process.exitSeen == nil { kill(process.processIdentifier, SIGKILL) } }

        func waitFor(_ text: String, occurrences: Int = 1) async -> Bool {
            await eventually(within: 15) { collector.contents.0.components(separatedBy: text).count > occurrences }
        }
        #expect(await waitFor("Password: "))
        input.fileHandleForWriting.write(Data("wrong-password\n".utf8))
        #expect(await waitFor("wrong username or password"))
        #expect(await waitFor("Password: ", occurrences: 2))
        input.fileHandleForWriting.write(Data("mfa-password\n".utf8))
        // A code that is not 6 digits is refused on the spot and asked again: it is never sent.
        #expect(await waitFor("MFA code (attempt 1 of 3): "))
        input.fileHandleForWriting.write(Data("12ab\n".utf8))
        #expect(await waitFor("the MFA code must be 6 digits; type it again"))
        #expect(await waitFor("MFA code (attempt 1 of 3): ", occurrences: 2))
        input.fileHandleForWriting.write(Data("123456\n".utf8))
        #expect(await waitFor("Logged in as mfa@example.com"))
        #expect(await process.finish(within: 10) == .exited(0), "\(collector.contents.0)")
        let shown = collector.contents.0
        #expect(!shown.contains("wrong-password") && !shown.contains("mfa-password"))
        let requests = try #require(try await sim.sim("GET", "/_sim/requests") as? [[String: Any]])
        // Wrong password, right password (MFA required), the one well-formed code.
        #expect(requests.map { $0["status"] as? Int } == [400, 403, 200])
    }
}
