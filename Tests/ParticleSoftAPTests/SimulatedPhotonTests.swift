import ParticleSimulators
import ParticleSoftAP
import Testing

/// The simulated firmware's command handlers on raw request bodies: the quirks a faithful device must have.
@Suite("Simulated Photon firmware quirks")
struct SimulatedPhotonTests {
    func photon() throws -> SimulatedPhoton {
        SimulatedPhoton(deviceID: "320020001847333531323135", key: try SimulatedDeviceKey())
    }

    func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("device-id: upper-case ID, c as a string")
    func deviceID() throws {
        var device = try photon()
        #expect(device.handle(command: "device-id", body: []) == .json("{\"id\":\"320020001847333531323135\",\"c\":\"0\"}"))
        #expect(device.handle(command: "version", body: []) == .json("{\"v\":2}"))
        #expect(device.handle(command: "ant-internal", body: []) == .close)
    }

    @Test("set: only cc acts; k is cut to 2 characters, v to 63 bytes, and stored raw")
    func set() throws {
        var device = try photon()
        #expect(device.handle(command: "set", body: body("{\"k\":\"xx\",\"v\":\"1\"}")) == .json("{\"r\":-1}"))
        #expect(device.handle(command: "set", body: body("{\"k\":\"cc\",\"v\":\"\"}")) == .json("{\"r\":-1}"))
        #expect(device.handle(command: "set", body: body("{\"k\":\"ccx\",\"v\":\"a\\/b\"}")) == .json("{\"r\":0}"))
        #expect(device.claimCode == "a\\/b")
        let long = String(repeating: "z", count: 70)
        #expect(device.handle(command: "set", body: body("{\"k\":\"cc\",\"v\":\"\(long)\"}")) == .json("{\"r\":0}"))
        #expect(device.claimCode == String(repeating: "z", count: 63))
    }

    @Test("strict request JSON: unknown key, wrong type, nesting or an empty body get no JSON at all")
    func strict() throws {
        var device = try photon()
        for text in ["{\"k\":\"cc\",\"v\":\"1\",\"x\":\"1\"}", "{\"k\":\"cc\",\"v\":1}", "{\"k\":\"cc\",\"v\":[\"1\"]}", "", "{\"k\":"] {
            #expect(device.handle(command: "set", body: body(text)) == .noJSON, "\(text)")
        }
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":\"0\",\"ssid\":\"a\"}")) == .noJSON)
    }

    @Test("configure-ap: open network stored; WEP/WPA length checks; SSID checks; unknown WPA network")
    func configure() throws {
        var device = try photon()
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Café Libre\",\"sec\":0,\"ch\":null}")) == .json("{\"r\":0}"))
        #expect(device.storedCredentials.last?.channel == 0)
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Café Libre\",\"sec\":0,\"ch\":11,\"pwd\":\"\"}")) == .json("{\"r\":0}"))
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"\",\"sec\":0,\"ch\":1}")) == .json("{\"r\":-3}"))
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Nowhere\",\"sec\":4194308,\"ch\":1}")) == .json("{\"r\":-2}"))
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"HomeNet\",\"sec\":4194308,\"ch\":6}")) == .json("{\"r\":-4}"))
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"HomeNet\",\"sec\":4194308,\"ch\":6,\"pwd\":\"zz\"}")) == .json("{\"r\":-16512}"))
    }

    @Test("configure-ap: the on-air security wins over the requested one for WPA networks")
    func onAirSecurity() throws {
        var device = try photon()
        let key = try SoftAPPublicKey(deviceHex: device.key.deviceHex)
        let pwd = try key.encryptPassword("any password")
        // Requested WPA2 mixed; the network is WPA AES on air.
        #expect(device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Tenda_51E728\",\"sec\":4194310,\"ch\":0,\"pwd\":\"\(pwd)\"}")) == .json("{\"r\":0}"))
        #expect(device.storedCredentials.last?.security.rawValue == 2_097_156)
        #expect(device.storedCredentials.last?.password == "any password")
    }

    @Test("five credential slots; the same SSID replaces its entry")
    func slots() throws {
        var device = try photon()
        for index in 0..<7 {
            _ = device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Open\(index)\",\"sec\":0,\"ch\":1}"))
        }
        _ = device.handle(command: "configure-ap", body: body("{\"idx\":0,\"ssid\":\"Open6\",\"sec\":0,\"ch\":2}"))
        #expect(device.storedCredentials.map(\.ssid) == ["Open2", "Open3", "Open4", "Open5", "Open6"])
        #expect(device.storedCredentials.last?.channel == 2)
    }

    @Test("scan-ap: fixed key order, strings not escaped")
    func scan() throws {
        var device = try photon()
        device.networks = [SimulatedWiFiNetwork(ssid: "a/b", security: .open, channel: 1, rssi: -40, maxDataRate: 54000)]
        #expect(device.handle(command: "scan-ap", body: []) == .json("{\"scans\":[{\"ssid\":\"a/b\",\"rssi\":-40,\"sec\":0,\"ch\":1,\"mdr\":54000}]}"))
    }
}
