import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// API users: created with JSON bodies, listed, updated (fresh token), deleted; scopes enforced by the fake.
@Suite(.serialized) struct APIUserTests {
    @Test func lifecycleAndScopeEnforcement() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let admin = try await fake.devToken()
        let created = try await fake.with(token: admin) { client in
            try await client.team(.product("1001")).createAPIUser(name: "fleet backend", scopes: ["devices:list"])
        }
        var request = try #require(await fake.lastRequest())
        #expect(request.method == "POST" && request.path == "/v1/products/1001/team")
        #expect(request.contentType == "application/json")
        #expect(request.body == #"{"friendly_name":"fleet backend","scopes":["devices:list"]}"#)
        #expect(created.username.hasSuffix("@api.particle.io"))
        let apiToken = try #require(created.token)

        // Inside its scope.
        let devices = try await fake.with(token: apiToken) { client in try await client.devices(product: "1001").list() }
        #expect(devices.count == 1)
        // Outside: 400 unauthorized → exit 5.
        do {
            _ = try await fake.with(token: apiToken) { client in
                try await client.devices(product: "1001").variable(DeviceReference("fleet_one"), "sensor")
            }
            Issue.record("API user read a variable without devices.variable:get")
        } catch let error as CloudError {
            #expect(error.status == 400)
            #expect(error.code == "unauthorized")
            #expect(error.exitStatus == .authentication)
        }

        let team = try await fake.with(token: admin) { client in try await client.team(.product("1001")).list() }
        #expect(team.filter { $0.isProgrammatic == true }.map(\.username) == [created.username])

        let updated = try await fake.with(token: admin) { client in
            try await client.team(.product("1001")).updateAPIUser(username: created.username, name: nil,
                                                                 scopes: ["devices:list", "devices.variable:get"])
        }
        request = try #require(await fake.lastRequest())
        #expect(request.method == "PUT" && request.path == "/v1/products/1001/team/\(created.username)")
        let freshToken = try #require(updated.token)
        #expect(freshToken != apiToken)
        let value = try await fake.with(token: freshToken) { client in
            try await client.devices(product: "1001").variable(DeviceReference("fleet_one"), "sensor")
        }
        #expect(value.result == .number(42))
        await #expect(throws: CloudError.self) {
            _ = try await fake.with(token: apiToken) { client in try await client.devices(product: "1001").list() }
        }

        try await fake.with(token: admin) { client in try await client.team(.product("1001")).delete(username: created.username) }
        #expect(await fake.lastRequest()?.method == "DELETE")
        await #expect(throws: CloudError.self) {
            _ = try await fake.with(token: freshToken) { client in try await client.devices(product: "1001").list() }
        }
    }

    @Test func organizationAPIUsers() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let admin = try await fake.devToken()
        let created = try await fake.with(token: admin) { client in
            try await client.team(.organization("acme")).createAPIUser(name: "Org Reporter", scopes: ["devices:list", "events:get"])
        }
        #expect(await fake.lastRequest()?.path == "/v1/orgs/acme/team")
        #expect(created.username.hasPrefix("org-reporter+"))
        let members = try await fake.with(token: admin) { client in try await client.team(.organization("acme")).list() }
        #expect(members.first { $0.username == created.username }?.scopes == ["devices:list", "events:get"])
        #expect(members.contains { $0.username == "dev@example.com" && $0.role?.name == "Administrator" })
        // An organization API user cannot use a product outside its organization.
        await #expect(throws: CloudError.self) {
            _ = try await fake.with(token: created.token) { client in try await client.devices(product: "1001").list() }
        }
        try await fake.with(token: admin) { client in try await client.team(.organization("acme")).delete(username: created.username) }
        #expect(await fake.lastRequest()?.path == "/v1/orgs/acme/team/\(created.username)")
    }

    @Test func malformedScopesAreRejectedBeforeSending() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        await #expect(throws: UserError.self) {
            _ = try await fake.with(token: "x") { client in
                try await client.team(.organization("acme")).createAPIUser(name: "x", scopes: ["everything"])
            }
        }
        #expect(await fake.requests().isEmpty)
    }
}
