import Foundation
import Glibc
import Testing

/// The cloud commands through the built `particlectl`, against `particlectl sim cloud` over loopback.
@Suite(.serialized) struct CloudCommandsTests {
    /// Every output that must never contain a token (all runs except the ones whose job is printing one).
    final class Transcript: @unchecked Sendable {
        var quiet: [ToolResult] = []
        func record(_ result: ToolResult) -> ToolResult {
            quiet.append(result)
            return result
        }
    }

    func login(_ sim: SimCloudProcess, _ transcript: Transcript) async throws {
        let result = await transcript.record(try sim.run(["login", "--username", "dev@example.com", "--password-stdin"], stdin: "dev-password\n"))
        try #require(result.status == 0, "stderr: \(result.stderr)")
    }

    @Test func loginStoresA0600ConfigAndWhoamiReadsIt() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)
        var info = stat()
        #expect(stat(sim.configPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let config = try jsonObject(String(decoding: try Data(contentsOf: URL(fileURLWithPath: sim.configPath)), as: UTF8.self))
        let token = try #require(config["access_token"] as? String)
        #expect(token.count == 40)
        #expect(config["username"] as? String == "dev@example.com")

        let whoami = await transcript.record(try sim.run(["whoami", "--json"]))
        #expect(whoami.status == 0)
        let object = try jsonObject(whoami.stdout)
        #expect(Set(object.keys) == ["username", "expires_at", "client", "scopes", "token_source"])
        #expect(object["username"] as? String == "dev@example.com")
        #expect(object["token_source"] as? String == "config")

        let human = await transcript.record(try sim.run(["whoami"]))
        #expect(human.stdout.hasPrefix("dev@example.com (token from config, expires "))
        for result in transcript.quiet { #expect(!(result.stdout + result.stderr).contains(token)) }
    }

    @Test func expiredStoredTokenIsRefusedLocallyWithExit5() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        try FileManager.default.createDirectory(atPath: sim.home + "/config/particlectl", withIntermediateDirectories: true)
        try #"{"access_token":"0123456789abcdef0123456789abcdef01234567","access_token_expires_at":"2020-01-01T00:00:00.000Z"}"#
            .write(toFile: sim.configPath, atomically: true, encoding: .utf8)
        let result = try await sim.run(["cloud", "devices"])
        #expect(result.status == 5)
        #expect(result.stderr == "particlectl: the stored access token expired on 2020-01-01T00:00:00.000Z; run `particlectl login`\n")
        let requests = try #require(try await sim.sim("GET", "/_sim/requests") as? [Any])
        #expect(requests.isEmpty)
    }

    @Test func mfaLoginRetriesTheCodeUpToThreeTimes() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let second = try await sim.run(["login", "--username", "mfa@example.com", "--password-stdin"], stdin: "mfa-password\n000000\n123456\n")
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("MFA code refused"))
        #expect(second.stdout.contains("Logged in as mfa@example.com"))

        let withOTP = try await sim.run(["login", "--username", "mfa@example.com", "--password-stdin", "--otp", "123456", "--json"],
                                  stdin: "mfa-password\n")
        #expect(withOTP.status == 0)
        #expect(try jsonObject(withOTP.stdout)["username"] as? String == "mfa@example.com")

        let wrong = try await sim.run(["login", "--username", "mfa@example.com", "--password-stdin"],
                                stdin: "mfa-password\n000000\n111111\n222222\n")
        #expect(wrong.status == 5)
        #expect(wrong.stderr.split(separator: "\n").last == "particlectl: MFA code refused 3 times; run `particlectl login` again")
        #expect(wrong.stderr.components(separatedBy: "MFA code refused").count == 4)

        let noCode = try await sim.run(["login", "--username", "mfa@example.com", "--password-stdin"], stdin: "mfa-password\n")
        #expect(noCode.status == 5)
        #expect(noCode.stderr.contains("--otp"))

        let badPassword = try await sim.run(["login", "--username", "dev@example.com", "--password-stdin"], stdin: "nope\n")
        #expect(badPassword.status == 5)
        #expect(badPassword.stderr == "particlectl: login refused (HTTP 400: User credentials are invalid); check the username, password or code\n")
    }

    @Test func deviceVerbsPrintStableJSONAndMapErrorsToExitCodes() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)
        func run(_ arguments: [String]) async throws -> ToolResult { await transcript.record(try sim.run(arguments)) }

        let devices = try await run(["cloud", "devices", "--json"])
        #expect(devices.status == 0)
        #expect(Set(try jsonArray(devices.stdout).compactMap { $0["id"] as? String })
                == ["0123456789abcdef01234567", "89abcdef0123456789abcdef"])
        let shapes = Set(try jsonArray(devices.stdout).map { Set($0.keys) })
        #expect(shapes.count == 1)  // online and offline devices: the same keys
        #expect(shapes.first?.isSuperset(of: ["id", "name", "online", "platform_id", "functions", "variables", "notes"]) == true)
        let table = try await run(["cloud", "devices"])
        #expect(table.stdout.hasPrefix("ID                        NAME     PLATFORM  ONLINE\n"))

        let device = try await jsonObject(try run(["cloud", "device", "gongbot", "--json"]).stdout)
        #expect(device["id"] as? String == "0123456789abcdef01234567")
        #expect(device["online"] as? Bool == true)
        #expect(device["variables"] as? [String: String] == ["sensor": "int32"])

        await #expect(try run(["cloud", "get", "gongbot", "sensor"]).stdout == "1234\n")
        let get = try await jsonObject(try run(["cloud", "get", "gongbot", "sensor", "--json"]).stdout)
        #expect(get["result"] as? Int == 1234 && get["name"] as? String == "sensor" && get["device"] as? String == "gongbot")
        let unknown = try await run(["cloud", "get", "gongbot", "nope"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr == "particlectl: not found (HTTP 404: Unknown Variable: nope); check the name or ID\n")
        let offline = try await run(["cloud", "get", "sleepy", "sensor"])
        #expect(offline.status == 4)
        #expect(offline.stderr.hasPrefix("particlectl: the device did not answer in time (HTTP 408"))

        await #expect(try run(["cloud", "call", "gongbot", "setColor", "255,0,0"]).stdout == "1\n")
        let call = try await jsonObject(try run(["cloud", "call", "gongbot", "setColor", "255,0", "--form", "--json"]).stdout)
        #expect(call["return_value"] as? Int == 0 && call["function"] as? String == "setColor")
        await #expect(try run(["cloud", "call", "gongbot", "explode"]).status == 3)

        await #expect(try jsonObject(try run(["cloud", "rename", "gongbot", "big_gong", "--json"]).stdout)["name"] as? String == "big_gong")
        await #expect(try jsonObject(try run(["cloud", "notes", "big_gong", "shelf 3", "--json"]).stdout)["notes"] as? String == "shelf 3")
        await #expect(try jsonObject(try run(["cloud", "ping", "sleepy", "--json"]).stdout)["online"] as? Bool == false)
        await #expect(try run(["cloud", "rename", "big_gong", "bad name"]).status == 2)

        let code = try await jsonObject(try run(["cloud", "claim-code", "--json"]).stdout)
        #expect((code["claim_code"] as? String)?.count == 63)
        await #expect(try run(["cloud", "claim", "0A0A0A0A0A0A0A0A0A0A0A0A", "--json"]).status == 0)
        let someoneElse = try await run(["cloud", "claim", "0b0b0b0b0b0b0b0b0b0b0b0b"])
        #expect(someoneElse.status == 1)
        #expect(someoneElse.stderr.contains("That belongs to someone else."))
        await #expect(try run(["cloud", "unclaim", "0a0a0a0a0a0a0a0a0a0a0a0a"]).status == 0)
        await #expect(try run(["cloud", "claim", "fresh_photon"]).status == 2)

        await #expect(try jsonObject(try run(["cloud", "publish", "hello", "world", "--ttl", "30", "--json"]).stdout)["ok"] as? Bool == true)

        let products = try await jsonArray(try run(["cloud", "products", "--json"]).stdout)
        #expect(products.map { $0["slug"] as? String } == ["widget-fleet"])
        await #expect(try jsonObject(try run(["cloud", "product", "widget-fleet", "--json"]).stdout)["id"] as? Int == 1001)
        await #expect(try jsonArray(try run(["cloud", "orgs", "--json"]).stdout).map { $0["slug"] as? String } == ["acme"])
        let imported = try await jsonObject(try run(["cloud", "import", "0a0a0a0a0a0a0a0a0a0a0a0a", "--product", "1001", "--json"]).stdout)
        #expect(imported["updated"] as? Int == 1)
        await #expect(try run(["cloud", "import", "not-an-id", "--product", "1001"]).status == 2)
        let list = sim.home + "/ids.txt"
        try "# batch 7\n1111111111111111111111aa\n\n1111111111111111111111BB\n".write(toFile: list, atomically: true, encoding: .utf8)
        await #expect(try jsonArray(try run(["cloud", "devices", "--product", "widget-fleet", "--json"]).stdout).count == 2)
        let fromFile = try await jsonObject(try run(["cloud", "import", "--file", list, "--product", "widget-fleet", "--json"]).stdout)
        #expect(fromFile["updated"] as? Int == 2)
        await #expect(try run(["cloud", "import", "--file", sim.home + "/missing.txt", "--product", "1001"]).status == 3)
        let customers = try await jsonArray(try run(["customers", "--product", "1001", "--json"]).stdout)
        #expect(customers.map { $0["username"] as? String } == ["jane@example.com"])

        let tokens = try await sim.issuedTokens()
        #expect(!tokens.isEmpty)
        for result in transcript.quiet {
            for token in tokens { #expect(!(result.stdout + result.stderr).contains(token), "token leaked") }
        }
    }

    @Test func tokenCommandsPrintTokensOnlyWhereAskedAndLogoutForgets() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)

        let created = try await sim.run(["token", "create", "--username", "dev@example.com", "--password-stdin", "--expires-in", "600"],
                                  stdin: "dev-password\n")
        #expect(created.status == 0)
        let newToken = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken.count == 40 && newToken.allSatisfy(\.isHexDigit))
        #expect(!created.stderr.contains(newToken))
        let viaEnv = await transcript.record(try sim.run(["whoami", "--json"], environment: ["PARTICLE_AUTH": newToken]))
        #expect(try jsonObject(viaEnv.stdout)["token_source"] as? String == "environment")
        let viaStdin = await transcript.record(try sim.run(["whoami", "--json", "--token-stdin"], stdin: newToken + "\n"))
        #expect(try jsonObject(viaStdin.stdout)["token_source"] as? String == "stdin")

        let forever = try await sim.run(["token", "create", "--username", "dev@example.com", "--password-stdin", "--never-expires", "--json"],
                                  stdin: "dev-password\n")
        let foreverJSON = try jsonObject(forever.stdout)
        #expect(foreverJSON["expires_in"] as? Int == 0)
        #expect(foreverJSON["expires_at"] is NSNull)
        let foreverToken = try #require(foreverJSON["access_token"] as? String)
        let foreverWhoami = try await jsonObject(transcript.record(try sim.run(["whoami", "--json"], environment: ["PARTICLE_AUTH": foreverToken])).stdout)
        #expect(foreverWhoami["expires_at"] is NSNull)
        #expect(Set(foreverWhoami.keys) == ["username", "expires_at", "client", "scopes", "token_source"])

        let revoke = await transcript.record(try sim.run(["token", "revoke", "--revoke-stdin", "--json", "--verbose"], stdin: newToken + "\n"))
        #expect(revoke.status == 0, "stderr: \(revoke.stderr)")
        #expect(revoke.stderr.contains("particlectl: DELETE /v1/access_tokens/…\n"))
        let revoked = await transcript.record(try sim.run(["whoami"], environment: ["PARTICLE_AUTH": newToken]))
        #expect(revoked.status == 5)
        // The token came from PARTICLE_AUTH: logging in again would not replace it, so the message names the variable.
        #expect(revoked.stderr.contains("the cloud rejected the access token from PARTICLE_AUTH"))

        let product = try await sim.run(["token", "product", "--client-id", "widget-fleet-2468", "--secret-stdin"], stdin: "widget-fleet-secret\n")
        #expect(product.status == 0)
        #expect(product.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 40)
        let customer = try await sim.run(["token", "customer", "--client-id", "widget-fleet-2468", "--customer", "jane@example.com", "--json"],
                                   environment: ["PARTICLE_CLIENT_SECRET": "widget-fleet-secret"])
        #expect((try jsonObject(customer.stdout)["access_token"] as? String)?.count == 40)
        let shadow = try await sim.run(["customer", "create", "--product", "1001", "--email", "sam@example.com", "--client-id",
                                  "widget-fleet-2468", "--secret-stdin", "--json"], stdin: "widget-fleet-secret\n")
        #expect(shadow.status == 0, "stderr: \(shadow.stderr)")
        let teamCreated = try await sim.run(["customer", "create", "--product", "1001", "--email", "kim@example.com"])
        #expect(teamCreated.status == 0)
        let wrongSecret = await transcript.record(try sim.run(["token", "product", "--client-id", "widget-fleet-2468", "--secret-stdin"], stdin: "nope\n"))
        #expect(wrongSecret.status == 5)
        let noSecret = await transcript.record(try sim.run(["token", "product", "--client-id", "widget-fleet-2468"]))
        #expect(noSecret.status == 2)

        let logout = await transcript.record(try sim.run(["logout", "--json"]))
        #expect(logout.status == 0)
        #expect(try jsonObject(logout.stdout)["forgotten"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: sim.configPath))
        let after = await transcript.record(try sim.run(["whoami"]))
        #expect(after.status == 5)
        #expect(after.stderr == "particlectl: no access token: run `particlectl login`, set PARTICLE_AUTH, or pipe one with --token-stdin\n")

        let tokens = try await sim.issuedTokens() + [newToken]
        for result in transcript.quiet {
            for token in tokens { #expect(!(result.stdout + result.stderr).contains(token), "token leaked") }
        }
    }

    @Test func apiUsersAreScopedAndAViolationIsExit5() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)
        let created = try await sim.run(["api-user", "create", "--product", "1001", "--name", "backend", "--scope", "devices:list", "--json"])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        let object = try jsonObject(created.stdout)
        let username = try #require(object["username"] as? String)
        let token = try #require(object["access_token"] as? String)
        #expect(object["scopes"] as? [String] == ["devices:list"])

        let list = try await jsonArray(transcript.record(try sim.run(["api-user", "list", "--product", "1001", "--json"])).stdout)
        #expect(list.map { $0["username"] as? String } == [username])
        let allowed = await transcript.record(try sim.run(["cloud", "devices", "--product", "1001", "--json"], environment: ["PARTICLE_AUTH": token]))
        #expect(allowed.status == 0)
        let denied = await transcript.record(try sim.run(["cloud", "get", "fleet_one", "sensor", "--product", "1001"], environment: ["PARTICLE_AUTH": token]))
        #expect(denied.status == 5)
        #expect(denied.stderr.contains("API users are not allowed to call this endpoint"))

        let updated = try await sim.run(["api-user", "update", username, "--product", "1001", "--scope", "devices:list",
                                   "--scope", "devices.variable:get", "--json"])
        let fresh = try #require(try jsonObject(updated.stdout)["access_token"] as? String)
        #expect(fresh != token)
        let nowAllowed = await transcript.record(try sim.run(["cloud", "get", "fleet_one", "sensor", "--product", "1001"], environment: ["PARTICLE_AUTH": fresh]))
        #expect(nowAllowed.stdout == "42\n")
        await #expect(transcript.record(try sim.run(["api-user", "delete", username, "--product", "1001"])).status == 0)
        await #expect(transcript.record(try sim.run(["cloud", "devices", "--product", "1001"], environment: ["PARTICLE_AUTH": fresh])).status == 5)
        await #expect(try sim.run(["api-user", "create", "--product", "1001", "--name", "x", "--scope", "everything"]).status == 2)
        await #expect(try sim.run(["api-user", "list"]).status == 2)
        for result in transcript.quiet { #expect(!(result.stdout + result.stderr).contains(token) && !(result.stdout + result.stderr).contains(fresh)) }
    }

    @Test func usageAndConnectionErrors() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let plain = try await sim.run(["cloud", "devices", "--token", "0123456789abcdef0123456789abcdef01234567"])
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("tokens are not accepted as arguments"))
        await #expect(try sim.run(["login", "--password", "x"]).status == 2)
        let missing = try await sim.run(["cloud", "devices"])
        #expect(missing.status == 5)
        let invalid = try await sim.run(["cloud", "devices"], environment: ["PARTICLE_AUTH": String(repeating: "1", count: 40)])
        #expect(invalid.status == 5)
        #expect(invalid.stderr == "particlectl: the cloud rejected the access token from PARTICLE_AUTH (HTTP 401: The access token provided is invalid.); set PARTICLE_AUTH to a valid token, or unset it to use the one `particlectl login` stores\n")
        let noTerminal = try await sim.run(["login", "--username", "dev@example.com"], stdin: "")
        #expect(noTerminal.status == 2 || noTerminal.status == 5)
        #expect(noTerminal.stderr.contains("--password-stdin"))

        sim.stop()
        let refused = try await sim.run(["cloud", "devices"], environment: ["PARTICLE_AUTH": "x"], timeout: 20)
        #expect(!refused.timedOut)
        #expect(refused.status == 6)
        #expect(refused.stderr.contains("connection refused"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    @Test func rateLimitBurstIsAbsorbedAndVerboseShowsNoSecrets() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"rate_limits":2,"retry_after":1}"#)
        let result = await transcript.record(try sim.run(["cloud", "devices", "--json", "--verbose"]))
        #expect(result.status == 0)
        #expect(result.stderr.contains("particlectl: 429 GET /v1/devices\nparticlectl: retry 1 in 1.0 s\n"))
        #expect(result.stderr.contains("particlectl: retry 2 in 1.0 s\n"))
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"rate_limits":50,"retry_after":0}"#)
        let exhausted = await transcript.record(try sim.run(["cloud", "devices"]))
        #expect(exhausted.status == 1)
        #expect(exhausted.stderr.hasPrefix("particlectl: rate limited by the cloud (HTTP 429)"))
        _ = try await sim.sim("POST", "/_sim/faults", json: #"{"server_errors":1}"#)
        let call = await transcript.record(try sim.run(["cloud", "call", "gongbot", "setColor", "1,2,3"]))
        #expect(call.status == 1)  // POST is not retried on 503
        #expect(call.stderr.hasPrefix("particlectl: the cloud failed (HTTP 503)"))
        let tokens = try await sim.issuedTokens()
        for result in transcript.quiet { for token in tokens { #expect(!(result.stdout + result.stderr).contains(token)) } }
    }

    @Test func subscribeSeesADeviceComeOnlineWithItsClaimCode() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let transcript = Transcript()
        try await login(sim, transcript)
        let code = try await #require(try jsonObject(try sim.run(["cloud", "claim-code", "--json"]).stdout)["claim_code"] as? String)
        let subscriber = Task.detached {
            try await sim.run(["cloud", "subscribe", "spark/status", "--count", "1", "--timeout", "20", "--json"], timeout: 30)
        }
        // Wait until the stream is open, then let the simulated device report in.
        var open = false
        let deadline = Date().addingTimeInterval(15)
        while !open && Date() < deadline {
            let requests = try #require(try await sim.sim("GET", "/_sim/requests") as? [[String: Any]])
            open = requests.contains { ($0["path"] as? String) == "/v1/devices/events/spark%2Fstatus" && ($0["status"] as? Int) == 200 }
            if !open { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(open)
        _ = try await sim.sim("POST", "/_sim/devices/0e0e0e0e0e0e0e0e0e0e0e0e/online",
                              json: "{\"platform_id\":6,\"claim_code\":\"\(code)\"}")
        let result = transcript.record(try await subscriber.value)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let event = try jsonObject(result.stdout)
        #expect(Set(event.keys) == ["name", "data", "ttl", "published_at", "coreid"])
        #expect(event["name"] as? String == "spark/status" && event["data"] as? String == "online")
        #expect(event["coreid"] as? String == "0e0e0e0e0e0e0e0e0e0e0e0e")
        let device = try await jsonObject(transcript.record(try sim.run(["cloud", "device", "0e0e0e0e0e0e0e0e0e0e0e0e", "--json"])).stdout)
        #expect(device["owner"] as? String == "dev@example.com")

        let nothing = try await sim.run(["cloud", "subscribe", "nothing", "--count", "1", "--timeout", "0.5"])
        #expect(nothing.status == 4)
        #expect(nothing.stderr == "particlectl: received 0 of 1 events within 0.5 s\n")
    }
}
