import ParticleCore
import ParticleSimulators
import ParticleSoftAP
import Testing

/// Recorded bytes in, typed values or typed errors out.
@Suite("SoftAP reply decoding")
struct ReplyDecodingTests {
    func json(_ text: String) throws -> JSONValue {
        guard case let .complete(value, _) = JSONValue.parse(Array(text.utf8)) else {
            Issue.record("not complete: \(text)")
            throw SoftAPError.invalidInput("test")
        }
        return value
    }

    @Test("device-id: upper-case id is lower-cased, c is a string")
    func deviceID() throws {
        let info = try SoftAPReplyDecoder.deviceInfo(json("{\"id\":\"320020001847333531323135\",\"c\":\"0\"}"))
        #expect(info == SoftAPDeviceInfo(id: try #require(DeviceID("320020001847333531323135")), claimed: false))
        let claimed = try SoftAPReplyDecoder.deviceInfo(json("{\"id\":\"ABCDEF001847333531323135\",\"c\":\"1\"}"))
        #expect(claimed == SoftAPDeviceInfo(id: try #require(DeviceID("abcdef001847333531323135")), claimed: true))
        // The device as the rest of the code sees it: the ID, nothing the reply does not tell.
        #expect(claimed.identity == DeviceIdentity(id: DeviceID("abcdef001847333531323135")))
        #expect(claimed.identity.platform == nil && claimed.identity.usb == nil)
    }

    @Test("device-id with a short or non-hex id is malformed")
    func badDeviceID() throws {
        #expect(throws: SoftAPError.malformedReply(command: .deviceID, reason: "\"id\" is not 24 hex digits")) {
            try SoftAPReplyDecoder.deviceInfo(self.json("{\"id\":\"1234\",\"c\":\"0\"}"))
        }
        #expect(throws: SoftAPError.malformedReply(command: .deviceID, reason: "no string \"id\"")) {
            try SoftAPReplyDecoder.deviceInfo(self.json("{\"c\":\"0\"}"))
        }
    }

    @Test("scan-ap: the real capture from device-os #1334")
    func scan() throws {
        let capture = "{\"scans\":[{\"ssid\":\"Wf\",\"rssi\":-89,\"sec\":4194308,\"ch\":11,\"mdr\":144400},{\"ssid\":\"Tenda_51E728\",\"rssi\":-82,\"sec\":2097156,\"ch\":6,\"mdr\":150000}]}"
        let networks = try SoftAPReplyDecoder.networks(json(capture))
        #expect(networks == [
            SoftAPNetwork(ssid: "Wf", rssi: -89, security: SoftAPSecurity(rawValue: 4_194_308), channel: 11, maxDataRate: 144_400),
            SoftAPNetwork(ssid: "Tenda_51E728", rssi: -82, security: SoftAPSecurity(rawValue: 2_097_156), channel: 6, maxDataRate: 150_000),
        ])
        #expect(networks[0].security.name == "wpa2_aes")
        #expect(try SoftAPReplyDecoder.networks(json("{\"scans\":[]}")) == [])
    }

    @Test("scan-ap: an SSID the device cut inside a UTF-8 character is repaired, and unknown security is -1")
    func scanCutSSID() throws {
        var bytes = Array("{\"scans\":[{\"ssid\":\"".utf8) + Array("Caf".utf8) + [0xC3]
        bytes += Array("\",\"rssi\":-50,\"sec\":-1,\"ch\":1,\"mdr\":0}]}".utf8)
        guard case let .complete(value, _) = JSONValue.parse(bytes) else {
            Issue.record("did not parse")
            return
        }
        let networks = try SoftAPReplyDecoder.networks(value)
        #expect(networks.first?.ssid == "Caf\u{FFFD}")
        #expect(networks.first?.security == .unknown)
    }

    @Test("r replies: 0 passes, anything else is the device's refusal with its meaning")
    func resultCodes() throws {
        try SoftAPReplyDecoder.result(json("{\"r\":0}"), of: .set)
        #expect(throws: SoftAPError.resultCode(command: .set, code: -1)) {
            try SoftAPReplyDecoder.result(self.json("{\"r\":-1}"), of: .set)
        }
        #expect(throws: SoftAPError.resultCode(command: .configureAP, code: -2)) {
            try SoftAPReplyDecoder.result(self.json("{\"r\":-2}"), of: .configureAP)
        }
        #expect(SoftAPError.resultCode(command: .configureAP, code: -4).message.contains("password length"))
        #expect(SoftAPError.resultCode(command: .configureAP, code: -4).exitStatus == .remoteError)
    }

    @Test("public-key: {\"r\":1} means no key")
    func noKey() throws {
        #expect(throws: SoftAPError.noPublicKey(result: 1)) {
            try SoftAPReplyDecoder.publicKey(self.json("{\"r\":1}"))
        }
    }

    @Test("version")
    func version() throws {
        #expect(try SoftAPReplyDecoder.version(json("{\"v\":2}")) == 2)
    }
}

@Suite("SoftAP public key and encryption")
struct PublicKeyTests {
    /// An RSA-1024 SubjectPublicKeyInfo made with `openssl genrsa 1024`, and its SHA-256 (`sha256sum`).
    static let spki = "30819F300D06092A864886F70D010101050003818D0030818902818100BBCDD7EA1105EDB886849E890DDDE398F8AEB32C0C1A4BE7A7B0A9AD8BE2B040A8907EFBBEDB68A7DDF515692277D0CBD73298815E425C8E5F4AD1E15A3D1704F6B04D1DE872F650B52C1C224E7DC084115525E2C1F51E654A96646A97F5CC53ED65D3546A15F08635DE48A589E3007E90CDA772ED69708D325B268B317439990203010001"
    static let fingerprint = "a5e0c279dbb06b355ab398ba66deb465cb34bb49d458a8a0dbdb0ff282dbf9be"

    @Test("the 294-byte padded slot decodes to the 162-byte SPKI")
    func paddedSlot() throws {
        let slot = Self.spki + String(repeating: "00", count: 294 - 162)
        #expect(slot.count == 588)
        let key = try SoftAPReplyDecoder.publicKey(
            .object([("b", .string(slot)), ("r", .int(0))]))
        #expect(key.derRepresentation.count == 162)
        #expect(Hex.encode(key.derRepresentation).uppercased() == Self.spki)
        #expect(key.keySizeInBits == 1024)
        #expect(key.fingerprint == Self.fingerprint)
        #expect(key.deviceHex == slot)
    }

    @Test("bad key hex is a clear error")
    func badHex() {
        #expect(throws: SoftAPError.invalidPublicKey("the key is not hex")) { try SoftAPPublicKey(deviceHex: "XYZ1") }
        #expect(throws: SoftAPError.invalidPublicKey("the key is truncated")) {
            try SoftAPPublicKey(deviceHex: String(Self.spki.prefix(100)))
        }
        #expect(throws: SoftAPError.invalidPublicKey("it is not an RSA public key")) {
            try SoftAPPublicKey(deviceHex: "3003020100")
        }
    }

    @Test("round trip: our PKCS#1 v1.5 encryption, the simulated device's decryption")
    func roundTrip() throws {
        let device = try SimulatedDeviceKey()
        let key = try SoftAPPublicKey(deviceHex: device.deviceHex)
        let hex = try key.encryptPassword("pässwörd/123")
        #expect(hex.count == 256)
        #expect(hex == hex.lowercased())
        #expect(try device.decrypt(hex: hex) == Array("pässwörd/123".utf8))
        // Upper-case hex is accepted too, as current firmware does.
        #expect(try device.decrypt(hex: hex.uppercased()) == Array("pässwörd/123".utf8))
    }

    @Test("a ciphertext for another key fails with the device's padding error")
    func wrongKey() throws {
        let device = try SimulatedDeviceKey()
        let other = try SoftAPPublicKey(deviceHex: SimulatedDeviceKey().deviceHex)
        let hex = try other.encryptPassword("secret-password")
        #expect(throws: SimulatedDeviceKey.DecryptionFailure.invalidPadding) { try device.decrypt(hex: hex) }
        #expect(throws: SimulatedDeviceKey.DecryptionFailure.badInput) { try device.decrypt(hex: "abc") }
    }

    @Test("EAP-TLS private key: RSA-protected AES key and IV, AES-128-CBC PEM")
    func eapTLSKey() throws {
        let device = try SimulatedDeviceKey()
        let key = try SoftAPPublicKey(deviceHex: device.deviceHex)
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
        let (ek, encrypted) = try key.encryptPrivateKey(pem: pem)
        #expect(ek.count == 256)
        #expect(try device.decryptPrivateKey(ek: ek, key: encrypted) == Array(pem.utf8))
    }
}

/// The library names what to change, never a program's flags; a caller names it in its own words.
@Suite struct SoftAPRemedyTests {
    @Test func libraryMessagesNameNoFlags() {
        let errors: [SoftAPError] = [
            .connectTimedOut(address: "192.168.0.1:5609", seconds: 5), .replyTimedOut(command: .scanAP, seconds: 5),
            .invalidReply(command: .deviceID, reason: "not JSON"), .malformedReply(command: .deviceID, reason: "no id"),
            .httpStatus(command: .deviceID, status: 404), .networkNotFound(ssid: "HomeNet"), .securityUnknown,
            .enterpriseCredentialsMissing(ssid: "Corp"), .badAddress("x:0", reason: "the port must be a number from 1 to 65535"),
        ]
        for error in errors {
            #expect(!error.message.contains("--"), "\(error.message)")
        }
        #expect(SoftAPError.networkNotFound(ssid: "HomeNet").message
            == "no network named \"HomeNet\" in the device's scan; check the name, move closer, or give the network's security and channel instead of the scan")
    }

    @Test func aCallerNamesTheRemedyWithItsFlags() {
        let error = SoftAPError.httpStatus(command: .deviceID, status: 404)
        #expect(error.remedy == .addressAndProtocol)
        #expect(error.message { $0 == .addressAndProtocol ? "check --address and --protocol" : "?" }
            == "the device answered HTTP 404 to device-id; check --address and --protocol")
        #expect(SoftAPError.encryptionFailed.remedy == nil)
    }
}
