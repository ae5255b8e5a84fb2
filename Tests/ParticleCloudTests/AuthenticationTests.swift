import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// Logging in, MFA, product and customer tokens, token management — against the fake cloud over loopback.
@Suite(.serialized) struct AuthenticationTests {
    @Test func passwordLoginSendsAFormWithBasicClientCredentials() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let reply = try? await fake.with(token: nil) { client in
            try await client.tokens.login(username: "dev@example.com", password: "dev password&=", expiresIn: 3600)
        }
        #expect(reply == nil)
        let request = try #require(await fake.lastRequest())
        #expect(request.method == "POST")
        #expect(request.path == "/oauth/token")
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.authorization == "Basic " + Data("particle:particle".utf8).base64EncodedString())
        #expect(request.body == "grant_type=password&username=dev%40example.com&password=dev%20password%26%3D&expires_in=3600")
        #expect(request.status == 400)  // that password is wrong: the exact encoding is what mattered
    }

    @Test func loginWithoutMFAReturnsA40HexToken() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let reply = try await fake.with(token: nil) { client in
            try await client.tokens.login(username: "dev@example.com", password: "dev-password")
        }
        #expect(reply.accessToken.count == 40 && reply.accessToken.allSatisfy(\.isHexDigit))
        #expect(reply.expiresIn == TokensAPI.defaultExpiresIn)
        #expect(reply.tokenType == "bearer")
    }

    @Test func wrongPasswordIsInvalidGrantExit5() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        await #expect(throws: CloudError.self) {
            _ = try await fake.with(token: nil) { client in
                try await client.tokens.login(username: "dev@example.com", password: "nope")
            }
        }
        do {
            _ = try await fake.with(token: nil) { client in try await client.tokens.login(username: "dev@example.com", password: "nope") }
        } catch let error as CloudError {
            #expect(error.code == "invalid_grant")
            #expect(error.exitStatus == .authentication)
        }
    }

    @Test func mfaLoginWithRightCode() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.with(token: nil) { client -> String in
            do {
                _ = try await client.tokens.login(username: "mfa@example.com", password: "mfa-password")
                Issue.record("MFA account logged in without a code")
                return ""
            } catch let error as CloudError where error.kind == .mfaRequired {
                let mfaToken = try #require(error.mfaToken)
                return try await client.tokens.verifyOTP(mfaToken: mfaToken, otp: "123456").accessToken
            }
        }
        let last = try #require(await fake.lastRequest())
        #expect(last.body.hasPrefix("grant_type=urn%3Acustom%3Amfa-otp&mfa_token=mfa."))
        #expect(last.body.contains("&otp=123456"))
        let user = try await fake.with(token: token) { client in try await client.tokens.user() }
        #expect(user.username == "mfa@example.com")
    }

    @Test func mfaWrongCodeThreeTimesIsRefusedEveryTime() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        try await fake.with(token: nil) { client in
            var mfaToken = ""
            do {
                _ = try await client.tokens.login(username: "mfa@example.com", password: "mfa-password")
            } catch let error as CloudError {
                #expect(error.kind == .mfaRequired)
                #expect(error.status == 403)
                mfaToken = error.mfaToken ?? ""
            }
            for code in ["000000", "111111", "222222"] {
                do {
                    _ = try await client.tokens.verifyOTP(mfaToken: mfaToken, otp: code)
                    Issue.record("wrong code \(code) accepted")
                } catch let error as CloudError {
                    #expect(error.code == "invalid_grant")
                    #expect(error.exitStatus == .authentication)
                }
            }
        }
        #expect(await fake.requests().filter { $0.path == "/oauth/token" }.count == 4)
    }

    @Test func productAndCustomerTokensByClientCredentials() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let product = try await fake.with(token: nil) { client in
            try await client.tokens.clientCredentials(clientID: "widget-fleet-2468", secret: "widget-fleet-secret")
        }
        var request = try #require(await fake.lastRequest())
        #expect(request.body == "grant_type=client_credentials")
        #expect(request.authorization == "Basic " + Data("widget-fleet-2468:widget-fleet-secret".utf8).base64EncodedString())
        let devices = try await fake.with(token: product.accessToken) { client in try await client.devices(product: "1001").list() }
        #expect(devices.map(\.id) == ["0c0c0c0c0c0c0c0c0c0c0c0c"])

        let customer = try await fake.with(token: nil) { client in
            try await client.tokens.clientCredentials(clientID: "widget-fleet-2468", secret: "widget-fleet-secret",
                                                      customer: "jane@example.com", expiresIn: 600)
        }
        request = try #require(await fake.lastRequest())
        #expect(request.body == "grant_type=client_credentials&scope=customer%3Djane%40example.com&expires_in=600")
        #expect(customer.expiresIn == 600)
        let code = try await fake.with(token: customer.accessToken) { client in try await client.devices(product: "widget-fleet").claimCode() }
        #expect(code.claimCode.count == 63)
        #expect(await fake.lastRequest()?.path == "/v1/products/widget-fleet/device_claims")
    }

    @Test func badClientSecretIsInvalidClient() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        do {
            _ = try await fake.with(token: nil) { client in
                try await client.tokens.clientCredentials(clientID: "widget-fleet-2468", secret: "wrong")
            }
            Issue.record("accepted a wrong secret")
        } catch let error as CloudError {
            #expect(error.code == "invalid_client")
            #expect(error.exitStatus == .authentication)
        }
    }

    @Test func currentTokenInfoAndRevocation() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let info = try await fake.with(token: token) { client in try await client.tokens.current() }
        #expect(info.client == "particle")
        #expect(info.expiresAt != nil)
        let request = try #require(await fake.lastRequest())
        #expect(request.method == "GET" && request.path == "/v1/access_tokens/current")
        #expect(request.authorization == "Bearer \(token)")
        #expect(request.query.isEmpty)

        let other = try await fake.devToken()
        try await fake.with(token: token) { client in try await client.tokens.revoke(token: other) }
        #expect(await fake.lastRequest()?.method == "DELETE")
        #expect(await fake.lastRequest()?.path == "/v1/access_tokens/\(other)")
        try await fake.with(token: token) { client in try await client.tokens.revokeCurrent() }
        #expect(await fake.lastRequest()?.path == "/v1/access_tokens/current")
        for revoked in [token, other] {
            do {
                _ = try await fake.with(token: revoked) { client in try await client.tokens.user() }
                Issue.record("revoked token still works")
            } catch let error as CloudError {
                #expect(error.status == 401)
                #expect(error.exitStatus == .authentication)
                #expect(error.message.contains("particlectl login"))
            }
        }
    }

    @Test func neverExpiringTokenHasNoExpiry() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let reply = try await fake.with(token: nil) { client in
            try await client.tokens.login(username: "dev@example.com", password: "dev-password", expiresIn: 0)
        }
        #expect(reply.refreshToken == nil)
        let info = try await fake.with(token: reply.accessToken) { client in try await client.tokens.current() }
        #expect(info.expiresAt == nil)
    }

    @Test func missingTokenFailsBeforeSending() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        do {
            _ = try await fake.with(token: nil) { client in try await client.devices().list() }
            Issue.record("sent without a token")
        } catch let error as MissingCloudInput {
            #expect(error.what == .accessToken)
            #expect(error.exitStatus == .authentication)
        }
        #expect(await fake.requests().isEmpty)
    }
}

/// A token past its `expires_at` is refused like the real cloud does.
@Suite struct ExpiredTokenTests {
    @Test func expiredTokenIs401Exit5() async throws {
        var data = try FakeCloudSeed.data()
        let expired = String(repeating: "e", count: 40)
        data.tokens.append(try JSONDecoder().decode(FakeToken.self, from: Data("""
            {"token":"\(expired)","kind":"user","username":"dev@example.com","expires_at":"2020-01-01T00:00:00.000Z","client":"particle"}
            """.utf8)))
        let server = try await FakeCloudServer.start(FakeCloud(data: data))
        defer { Task { await server.stop() } }
        do {
            _ = try await CloudClient.with(CloudConfiguration(baseURL: server.url, token: expired)) { client in
                try await client.devices().list()
            }
            Issue.record("expired token accepted")
        } catch let error as CloudError {
            #expect(error.status == 401)
            #expect(error.apiMessage == "The access token provided has expired.")
            #expect(error.exitStatus == .authentication)
        }
    }
}
