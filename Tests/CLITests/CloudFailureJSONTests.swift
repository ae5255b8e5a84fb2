import Foundation
import Glibc
import Testing

/// Issue 9 item 7: every `--json` cloud command prints one JSON object on stdout when it fails — `error` (the line
/// stderr also gets), `exit_code`, and the keys it already knows — through the built executables against
/// `particlectl sim cloud`.
@Suite(.serialized) struct CloudFailureJSONTests {
    static let device = "0123456789abcdef01234567"

    func login(_ sim: SimCloudProcess) async throws {
        let result = try await sim.run(["login", "--username", "dev@example.com", "--password-stdin"], stdin: "dev-password\n")
        try #require(result.status == 0, "stderr: \(result.stderr)")
    }

    /// The failure object, checked against stderr's one line and the exit status.
    func failure(_ result: ToolResult) throws -> [String: Any] {
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 1, "stdout: \(result.stdout)")
        let object = try jsonObject(String(lines[0]))
        #expect(object["exit_code"] as? Int == Int(result.status))
        #expect(result.stderr == "particlectl: \(object["error"] as? String ?? "?")\n")
        return object
    }

    @Test func aRejectedTokenIsExit5WithErrorAndExitCode() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let result = try await sim.run(["cloud", "devices", "--json"],
                                       environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"])
        #expect(result.status == 5)
        let object = try failure(result)
        #expect(Set(object.keys) == ["error", "exit_code"])
        #expect(object["error"] as? String == "the cloud rejected the access token from PARTICLE_AUTH (HTTP 401: The access token provided is invalid.); set PARTICLE_AUTH to a valid token, or unset it to use the one `particlectl login` stores")
        let whoami = try await sim.run(["whoami", "--json"], environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"])
        #expect(whoami.status == 5)
        #expect(Set(try failure(whoami).keys) == ["error", "exit_code"])
    }

    @Test func anUnknownVariableOrFunctionIsExit3WithTheKnownKeys() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        let variable = try await sim.run(["cloud", "get", Self.device, "nope", "--json"])
        #expect(variable.status == 3)
        let got = try failure(variable)
        #expect(Set(got.keys) == ["device", "name", "error", "exit_code"])
        #expect(got["device"] as? String == Self.device)
        #expect(got["name"] as? String == "nope")
        #expect(got["error"] as? String == "not found (HTTP 404: Unknown Variable: nope); check the name or ID")
        let function = try await sim.run(["cloud", "call", "gongbot", "explode", "--json"])
        #expect(function.status == 3)
        let called = try failure(function)
        #expect(Set(called.keys) == ["device", "function", "error", "exit_code"])
        #expect(called["device"] as? String == "gongbot")
        #expect(called["function"] as? String == "explode")
    }

    @Test func rateLimitedAfterTheRetriesIsExit1() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"rate_limits": 50, "retry_after": 0}"#)
        let result = try await sim.run(["whoami", "--json"])
        #expect(result.status == 1)
        let object = try failure(result)
        #expect(Set(object.keys) == ["error", "exit_code"])
        #expect((object["error"] as? String)?.hasPrefix("rate limited by the cloud (HTTP 429) (server asked to wait 0 s)") == true)
    }

    @Test func aReplyThatIsNotTheAPIsJSONIsExit1() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try await login(sim)
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"malformed_replies": 1}"#)
        let result = try await sim.run(["cloud", "devices", "--json"])
        #expect(result.status == 1)
        let object = try failure(result)
        #expect(Set(object.keys) == ["error", "exit_code"])
        #expect(object["error"] as? String == "unexpected reply from the cloud: GET /v1/devices did not return the documented JSON; check --api-url")
    }

    @Test func aBadArgumentFoundWhileRunningIsExit2AndFirmwareCommandsToo() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let bad = try await sim.run(["cloud", "ping", "not a device!", "--json"])
        #expect(bad.status == 2)
        #expect(Set(try failure(bad).keys) == ["device", "error", "exit_code"])
        let noToken = try await sim.run(["cloud", "products", "--json"])
        #expect(noToken.status == 5)
        #expect(try failure(noToken)["error"] as? String == "no access token: run `particlectl login`, set PARTICLE_AUTH, or pipe one with --token-stdin")
        let firmware = try await sim.run(["firmware", "show", "no-such-firmware", "--json"])
        #expect(firmware.status == 3)
        #expect(Set(try failure(firmware).keys) == ["error", "exit_code"])
    }

    @Test func withoutJSONStdoutStaysEmpty() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let result = try await sim.run(["cloud", "devices"], environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"])
        #expect(result.status == 5)
        #expect(result.stdout.isEmpty)
    }
}
