import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// Every device verb: the request on the wire and the parsed reply.
@Suite(.serialized) struct DevicesTests {
    @Test func listAndInfo() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let devices = try await fake.with(token: token) { client in try await client.devices().list() }
        #expect(Set(devices.map(\.id)) == ["0123456789abcdef01234567", "89abcdef0123456789abcdef"])
        var request = try #require(await fake.lastRequest())
        #expect(request.method == "GET" && request.path == "/v1/devices" && request.query.isEmpty)
        #expect(request.authorization == "Bearer \(token)")

        let info = try await fake.with(token: token) { client in try await client.devices().info(DeviceReference("gongbot")) }
        request = try #require(await fake.lastRequest())
        #expect(request.path == "/v1/devices/gongbot")
        #expect(info.id == "0123456789abcdef01234567")
        #expect(info.isOnline)
        #expect(info.platformID == 6)
        #expect(info.functions == ["setColor", "publishEvent"])
        #expect(info.variables == ["sensor": "int32"])
        // Who it is, for the rest of the code: the one device identity.
        #expect(info.identity.id == DeviceID("0123456789abcdef01234567"))
        #expect(info.identity.name == info.name)
        #expect(info.identity.platform?.name == "photon")
        #expect(info.identity.usb == nil)
    }

    @Test("a cloud device maps to the identity; an unknown platform id stays visible, a bad id is no ID")
    func identityOfACloudDevice() throws {
        let json = #"{"id":"E00FCE68A1B2C3D4E5F60718","name":"bench-7","platform_id":99,"serial_number":"P046AB1","imei":"35","iccid":"89","system_firmware_version":"6.2.0"}"#
        let device = try JSONDecoder().decode(Device.self, from: Data(json.utf8))
        #expect(device.identity == DeviceIdentity(id: DeviceID("e00fce68a1b2c3d4e5f60718"), name: "bench-7",
                                                  platform: .unknown, serialNumber: "P046AB1", imei: "35",
                                                  iccid: "89", systemVersion: "6.2.0"))
        #expect(Device(id: "not-an-id").identity.id == nil)
        #expect(Device(id: "0123456789abcdef01234567", platformID: 32).identity.platform?.name == "p2")
    }

    @Test func renameNotesAndPingAreFormEncodedPuts() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let gongbot = try DeviceReference("0123456789ABCDEF01234567")
        let renamed = try await fake.with(token: token) { client in try await client.devices().rename(gongbot, to: "big_gong") }
        var request = try #require(await fake.lastRequest())
        #expect(request.method == "PUT" && request.path == "/v1/devices/0123456789abcdef01234567")
        #expect(request.contentType == "application/x-www-form-urlencoded" && request.body == "name=big_gong")
        #expect(renamed.name == "big_gong")

        let noted = try await fake.with(token: token) { client in try await client.devices().setNotes(gongbot, to: "shelf 3, left") }
        request = try #require(await fake.lastRequest())
        #expect(request.body == "notes=shelf%203%2C%20left")
        #expect(noted.notes == "shelf 3, left")

        let ping = try await fake.with(token: token) { client in try await client.devices().ping(DeviceReference("sleepy")) }
        request = try #require(await fake.lastRequest())
        #expect(request.method == "PUT" && request.path == "/v1/devices/sleepy/ping")
        #expect(ping.online == false)
    }

    @Test func variableAndFunction() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let gongbot = try DeviceReference("gongbot")
        let value = try await fake.with(token: token) { client in try await client.devices().variable(gongbot, "sensor") }
        #expect(value.result == .number(1234))
        #expect(await fake.lastRequest()?.path == "/v1/devices/gongbot/sensor")

        let json = try await fake.with(token: token) { client in try await client.devices().call(gongbot, "setColor", argument: "255,0,0") }
        var request = try #require(await fake.lastRequest())
        #expect(request.method == "POST" && request.path == "/v1/devices/gongbot/setColor")
        #expect(request.contentType == "application/json" && request.body == #"{"arg":"255,0,0"}"#)
        #expect(json.returnValue == 1)

        let form = try await fake.with(token: token) { client in
            try await client.devices().call(gongbot, "setColor", argument: "255,0", encoding: .form)
        }
        request = try #require(await fake.lastRequest())
        #expect(request.contentType == "application/x-www-form-urlencoded" && request.body == "arg=255%2C0")
        #expect(form.returnValue == 0)
    }

    @Test func unknownVariableIs404Exit3AndOfflineIs408NotRetried() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        await fake.cloud.clearRecordedRequests()
        do {
            _ = try await fake.with(token: token) { client in try await client.devices().variable(DeviceReference("gongbot"), "nope") }
            Issue.record("unknown variable answered")
        } catch let error as CloudError {
            #expect(error.status == 404)
            #expect(error.apiMessage == "Unknown Variable: nope")
            #expect(error.exitStatus == .notFound)
        }
        do {
            _ = try await fake.with(token: token) { client in try await client.devices().variable(DeviceReference("sleepy"), "sensor") }
            Issue.record("offline device answered")
        } catch let error as CloudError {
            #expect(error.status == 408)
            #expect(error.exitStatus == .timedOut)
        }
        // One request each: 408 is reported, not retried.
        #expect(await fake.requests().map(\.status) == [404, 408])
    }

    @Test func claimCodeClaimAndUnclaim() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let code = try await fake.with(token: token) { client in try await client.devices().claimCode() }
        var request = try #require(await fake.lastRequest())
        #expect(request.method == "POST" && request.path == "/v1/device_claims" && request.body.isEmpty)
        #expect(Set(code.deviceIDs ?? []) == ["0123456789abcdef01234567", "89abcdef0123456789abcdef"])

        _ = try await fake.with(token: token) { client in try await client.devices().claimCode(iccid: "8934076500002589174") }
        #expect(await fake.lastRequest()?.body == "iccid=8934076500002589174")

        try await fake.with(token: token) { client in try await client.devices().claim("0A0A0A0A0A0A0A0A0A0A0A0A") }
        request = try #require(await fake.lastRequest())
        #expect(request.method == "POST" && request.path == "/v1/devices" && request.body == "id=0a0a0a0a0a0a0a0a0a0a0a0a")
        do {
            try await fake.with(token: token) { client in try await client.devices().claim("0b0b0b0b0b0b0b0b0b0b0b0b") }
            Issue.record("claimed someone else's device")
        } catch let error as CloudError {
            #expect(error.status == 403)
            #expect(error.apiMessage == "That belongs to someone else.")
        }
        try await fake.with(token: token) { client in try await client.devices().unclaim(DeviceReference("0a0a0a0a0a0a0a0a0a0a0a0a")) }
        request = try #require(await fake.lastRequest())
        #expect(request.method == "DELETE" && request.path == "/v1/devices/0a0a0a0a0a0a0a0a0a0a0a0a")
        #expect(await fake.cloud.snapshot().devices.first { $0.id == "0a0a0a0a0a0a0a0a0a0a0a0a" }?.owner == nil)
    }

    @Test func productImportProductsAndOrgs() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let reply = try await fake.with(token: token) { client in
            try await client.devices(product: "1001").importDevices(["0a0a0a0a0a0a0a0a0a0a0a0a", "1111111111111111111111ff"])
        }
        #expect(reply.updated == 2)
        let imports = await fake.requests().filter { $0.path == "/v1/products/1001/devices" }
        #expect(imports.map(\.body) == ["id=0a0a0a0a0a0a0a0a0a0a0a0a", "id=1111111111111111111111ff"])
        let members = try await fake.with(token: token) { client in try await client.devices(product: "widget-fleet").list() }
        #expect(members.count == 3)
        #expect(await fake.lastRequest()?.query == "perPage=100")

        let products = try await fake.with(token: token) { client in try await client.products.list() }
        #expect(products.map(\.id) == [1001])
        #expect(products.first?.slug == "widget-fleet" && products.first?.platformID == 6 && products.first?.name == "Widget Fleet")
        #expect(await fake.lastRequest()?.path == "/v1/user/products")
        let product = try await fake.with(token: token) { client in try await client.products.get("widget-fleet") }
        #expect(product.id == 1001)
        let orgs = try await fake.with(token: token) { client in try await client.products.organizations() }
        #expect(orgs.map(\.slug) == ["acme"])
        try await fake.with(token: token) { client in try await client.devices(product: "1001").unclaim(DeviceReference("fleet_one")) }
        #expect(await fake.lastRequest()?.path == "/v1/products/1001/devices/fleet_one/owner")
    }

    @Test func customersCreateAndList() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let shadow = try await fake.with(token: nil) { client in
            try await client.customers(product: "1001").create(email: "sam@example.com",
                                                               client: ("widget-fleet-2468", "widget-fleet-secret"))
        }
        let request = try #require(await fake.lastRequest())
        #expect(request.path == "/v1/products/1001/customers" && request.status == 201)
        #expect(request.body == "grant_type=client_credentials&email=sam%40example.com&no_password=true")
        #expect(shadow.accessToken.count == 40)
        let token = try await fake.devToken()
        let customers = try await fake.with(token: token) { client in try await client.customers(product: "1001").list() }
        #expect(Set(customers.map(\.username)) == ["jane@example.com", "sam@example.com"])
        #expect(customers.first { $0.username == "jane@example.com" }?.devices == ["0c0c0c0c0c0c0c0c0c0c0c0c"])
    }
}
