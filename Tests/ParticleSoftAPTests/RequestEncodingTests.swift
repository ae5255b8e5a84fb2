import ParticleCore
import ParticleSoftAP
import Testing

@Suite("SoftAP request encoding (byte-exact)")
struct RequestEncodingTests {
    @Test("commands without a body: TCP name, length 0, blank line")
    func bodylessTCP() {
        #expect(SoftAPRequest.deviceID.tcpBytes == Array("device-id\n0\n\n".utf8))
        #expect(SoftAPRequest.version.tcpBytes == Array("version\n0\n\n".utf8))
        #expect(SoftAPRequest.scanAP.tcpBytes == Array("scan-ap\n0\n\n".utf8))
        #expect(SoftAPRequest.publicKey.tcpBytes == Array("public-key\n0\n\n".utf8))
    }

    @Test("connect-ap sends {\"idx\":0} with length 9")
    func connectAP() {
        #expect(SoftAPRequest.connectAP.tcpBytes == Array("connect-ap\n9\n\n{\"idx\":0}".utf8))
    }

    @Test("a claim code with / and + goes out raw, never as \\/")
    func claimCodeWithSlash() {
        let code = "ab/cd+ef" + String(repeating: "x", count: 55)
        #expect(code.count == 63)
        let request = SoftAPRequest.setClaimCode(code)
        #expect(request.body == "{\"k\":\"cc\",\"v\":\"\(code)\"}")
        #expect(request.tcpBytes == Array("set\n80\n\n{\"k\":\"cc\",\"v\":\"\(code)\"}".utf8))
        #expect(!(request.body ?? "").contains("\\/"))
    }

    @Test("the TCP length counts UTF-8 bytes, not characters")
    func nonASCIISSIDLength() {
        let configuration = SoftAPWiFiConfiguration(
            ssid: "Café ☕", security: .open, channel: 11, credentials: .none)
        let request = SoftAPRequest.configureAP(configuration)
        let body = "{\"idx\":0,\"ssid\":\"Café ☕\",\"sec\":0,\"ch\":11}"
        #expect(request.body == body)
        #expect(body.count == 41)
        #expect(body.utf8.count == 44)
        #expect(request.tcpBytes == Array("configure-ap\n44\n\n".utf8) + Array(body.utf8))
    }

    @Test("configure-ap with a password: idx, ssid, sec, ch, pwd in that order")
    func configureWithPassword() {
        let hex = String(repeating: "0a", count: 128)
        let configuration = SoftAPWiFiConfiguration(
            ssid: "MyNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 11,
            credentials: .password(encryptedHex: hex))
        let body = "{\"idx\":0,\"ssid\":\"MyNet\",\"sec\":4194308,\"ch\":11,\"pwd\":\"\(hex)\"}"
        #expect(SoftAPRequest.configureAP(configuration).tcpBytes == Array("configure-ap\n311\n\n\(body)".utf8))
    }

    @Test("PEAP sends eap 25, outer and inner identity, and the encrypted password")
    func peap() {
        let configuration = SoftAPWiFiConfiguration(
            ssid: "Corp", security: SoftAPSecurity(rawValue: 37_748_742), channel: 0,
            credentials: .peap(identity: "alice", outerIdentity: "anon", encryptedPasswordHex: "ab"))
        #expect(SoftAPRequest.configureAP(configuration).body
            == "{\"idx\":0,\"ssid\":\"Corp\",\"sec\":37748742,\"ch\":0,\"eap\":25,\"oi\":\"anon\",\"ii\":\"alice\",\"pwd\":\"ab\"}")
    }

    @Test("EAP-TLS sends eap 13, PEM with CR LF, ek, key and ca")
    func eapTLS() {
        let configuration = SoftAPWiFiConfiguration(
            ssid: "Corp", security: SoftAPSecurity(rawValue: 37_748_740), channel: 6,
            credentials: .tls(certificatePEM: "-----BEGIN CERTIFICATE-----\nAA/B\n-----END CERTIFICATE-----\n",
                              encryptedKeyHex: "01", encryptedPrivateKeyHex: "02", caPEM: "CA\n", outerIdentity: nil))
        #expect(SoftAPRequest.configureAP(configuration).body
            == "{\"idx\":0,\"ssid\":\"Corp\",\"sec\":37748740,\"ch\":6,\"eap\":13,\"crt\":\"-----BEGIN CERTIFICATE-----\\nAA/B\\n-----END CERTIFICATE-----\\r\\n\",\"ek\":\"01\",\"key\":\"02\",\"ca\":\"CA\\r\\n\"}")
    }

    @Test("HTTP: GET without a body, Connection: close, port in Host when not 80")
    func httpGet() {
        #expect(SoftAPRequest.deviceID.httpBytes(host: "192.168.0.1", port: 80)
            == Array("GET /device-id HTTP/1.1\r\nHost: 192.168.0.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(SoftAPRequest.scanAP.httpBytes(host: "127.0.0.1", port: 8080)
            == Array("GET /scan-ap HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n".utf8))
    }

    @Test("HTTP: POST with form content type and Content-Length in UTF-8 bytes")
    func httpPost() {
        let request = SoftAPRequest.setClaimCode("é/")
        let body = "{\"k\":\"cc\",\"v\":\"é/\"}"
        let expected = "POST /set HTTP/1.1\r\nHost: 192.168.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        #expect(body.utf8.count == 20)
        #expect(request.httpBytes(host: "192.168.0.1", port: 80) == Array(expected.utf8))
    }

    @Test("the JSON writer escapes quotes, backslashes and control characters only")
    func writerEscaping() {
        let value = JSONValue.object([("s", .string("a\"b\\c/d\ne\u{01}ü"))])
        #expect(value.serialized == "{\"s\":\"a\\\"b\\\\c/d\\ne\\u0001ü\"}")
    }
}

@Suite("SoftAP security table")
struct SecurityTableTests {
    static let names: [(String, Int)] = [
        ("open", 0), ("none", 0), ("wep_psk", 1), ("wep", 1), ("wep_shared", 32769),
        ("wpa_tkip", 2_097_154), ("wpa_aes", 2_097_156), ("wpa_mixed", 2_097_158),
        ("wpa2_tkip", 4_194_306), ("wpa2_aes", 4_194_308), ("wpa2_mixed", 4_194_310), ("wpa2", 4_194_310),
        ("wpa_tkip_ent", 35_651_586), ("wpa_aes_ent", 35_651_588), ("wpa_mixed_ent", 35_651_590),
        ("wpa_enterprise", 35_651_590),
        ("wpa2_tkip_ent", 37_748_738), ("wpa2_aes_ent", 37_748_740), ("wpa2_mixed_ent", 37_748_742),
        ("wpa2_enterprise", 37_748_742),
        ("ibss_open", 536_870_912), ("wps_open", 268_435_456), ("wps_secure", 268_435_460),
    ]

    @Test("every security name maps to its WICED value", arguments: names)
    func nameToValue(name: String, value: Int) {
        #expect(SoftAPSecurity(name: name)?.rawValue == value)
        #expect(SoftAPSecurity(name: name.uppercased().replacingOccurrences(of: "_", with: "-"))?.rawValue == value)
    }

    @Test("every value has a canonical name that maps back to it", arguments: names)
    func valueToName(name: String, value: Int) {
        let security = SoftAPSecurity(rawValue: value)
        #expect(SoftAPSecurity(name: security.name)?.rawValue == value)
    }

    @Test("unknown names and -1 are not accepted for configure")
    func rejected() {
        #expect(SoftAPSecurity(name: "unknown") == nil)
        #expect(SoftAPSecurity(name: "wpa3") == nil)
        #expect(SoftAPSecurity(rawValue: -1).name == "unknown")
        #expect(SoftAPSecurity(rawValue: 0x1234).name == "0x1234")
    }

    @Test("open, enterprise and WEP classification")
    func classification() {
        #expect(SoftAPSecurity.open.isOpen)
        #expect(SoftAPSecurity(rawValue: 268_435_456).isOpen)
        #expect(!SoftAPSecurity(rawValue: 4_194_308).isOpen)
        #expect(SoftAPSecurity(rawValue: 37_748_742).isEnterprise)
        #expect(!SoftAPSecurity(rawValue: 37_748_742).isOpen)
        #expect(!SoftAPSecurity(rawValue: 4_194_308).isEnterprise)
        #expect(SoftAPSecurity(rawValue: 32769).isWEP)
        #expect(SoftAPSecurity.unknown.isWEP)
        #expect(!SoftAPSecurity(rawValue: 2_097_154).isWEP)
    }
}
