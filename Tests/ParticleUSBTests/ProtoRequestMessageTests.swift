import Testing
@testable import ParticleUSB

/// The bytes of `text` (for the long strings only; every key and length below is written out by hand).
private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Every request payload particlectl sends, byte for byte, as the protobuf wire format spells it: a key is
/// (field << 3 | wire type), wire type 0 varint, 2 length-delimited; fields in number order; proto3 defaults (0, "",
/// false) are not sent. The device side (scripts/test/umockdev-usb.py) decodes the same bytes independently.
@Suite("protobuf request payloads")
struct ProtoRequestMessageTests {
    @Test("JoinNewNetworkRequest (500) / SetNetworkCredentialsRequest (507): {1 ssid, 3 security, 4 {1 type, 2 password}, 6 hidden}")
    func wifiCredentials() {
        // WPA3, a password with a space and punctuation, hidden.
        #expect(USBWiFiCredentials(ssid: "Lab", security: .wpa3PSK, password: "p@ss w0rd!", hidden: true).encoded == [
            0x0A, 0x03, 0x4C, 0x61, 0x62,                     // 1: "Lab"
            0x18, 0x05,                                       // 3: WPA3_PSK
            0x22, 0x0E,                                       // 4: Credentials, 14 bytes
            0x08, 0x01,                                       //    1: PASSWORD
            0x12, 0x0A, 0x70, 0x40, 0x73, 0x73, 0x20, 0x77, 0x30, 0x72, 0x64, 0x21, // 2: "p@ss w0rd!"
            0x30, 0x01,                                       // 6: true
        ])
        // No password (or an empty one): no credentials field at all.
        let noPassword: [UInt8] = [0x0A, 0x03, 0x4C, 0x61, 0x62, 0x18, 0x03]
        #expect(USBWiFiCredentials(ssid: "Lab", security: .wpa2PSK, password: nil).encoded == noPassword)
        #expect(USBWiFiCredentials(ssid: "Lab", security: .wpa2PSK, password: "").encoded == noPassword)
        // A UTF-8 SSID goes as its UTF-8 bytes; WPA/WPA2 is 4.
        #expect(USBWiFiCredentials(ssid: "Café", security: .wpaWPA2PSK, password: nil).encoded
            == [0x0A, 0x05, 0x43, 0x61, 0x66, 0xC3, 0xA9, 0x18, 0x04])
        // Each security value is its wire number.
        for security in USBWiFiSecurity.allCases where security != .none {
            #expect(USBWiFiCredentials(ssid: "A", security: security, password: nil).encoded
                == [0x0A, 0x01, 0x41, 0x18, UInt8(security.rawValue)])
        }
    }

    @Test("SetClaimCodeRequest (200): {1 code}")
    func claimCode() {
        #expect(DeviceMessages.setClaimCodeRequest("abc123") == [0x0A, 0x06, 0x61, 0x62, 0x63, 0x31, 0x32, 0x33])
        let code = String(repeating: "Zx9", count: 21)  // 63 characters, the longest the device stores
        #expect(DeviceMessages.setClaimCodeRequest(code) == [0x0A, 0x3F] + ascii(code))
    }

    @Test("RemoveKnownNetworkRequest (503): {1 ssid}")
    func removeNetwork() {
        #expect(DeviceMessages.removeKnownNetworkRequest(ssid: "Bench") == [0x0A, 0x05, 0x42, 0x65, 0x6E, 0x63, 0x68])
    }

    @Test("GetInterfaceRequest (401): {1 index}, index 0 is the empty message")
    func interfaceRequest() {
        #expect(NetworkInterface.detailRequest(index: 4) == [0x08, 0x04])
        #expect(NetworkInterface.detailRequest(index: 300) == [0x08, 0xAC, 0x02])
        #expect(NetworkInterface.detailRequest(index: 0) == [])
    }

    @Test("StartFirmwareUpdateRequest (250): {1 size} (format BIN is the default and not sent)")
    func startFirmwareUpdate() {
        #expect(FirmwareUpdate(image: Array(repeating: 0, count: 2500)).startPayload == [0x08, 0xC4, 0x13])
        #expect(FirmwareUpdate(image: Array(repeating: 0, count: 1_048_576)).startPayload == [0x08, 0x80, 0x80, 0x40])
        #expect(FirmwareUpdate(image: [0x7F]).startPayload == [0x08, 0x01])
    }

    @Test("FirmwareUpdateDataRequest (253): {1 data}, the chunk's bytes unchanged")
    func firmwareData() {
        let image: [UInt8] = [0x00, 0x01, 0x02, 0xFF, 0x80, 0x0A]
        #expect(FirmwareUpdate.dataPayload(image[1..<5]) == [0x0A, 0x04, 0x01, 0x02, 0xFF, 0x80])
        let chunk = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(FirmwareUpdate.dataPayload(chunk[...]) == [0x0A, 0x80, 0x08] + chunk)
    }
}
