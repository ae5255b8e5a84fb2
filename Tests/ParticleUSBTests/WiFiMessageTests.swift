import Testing
@testable import ParticleUSB

@Suite("Wi-Fi messages (500-507)")
struct WiFiMessageTests {
    @Test("join/add credentials encode as particle-usb sends them")
    func credentials() {
        #expect(USBWiFiCredentials(ssid: "Bench", security: .wpa2PSK, password: "secret123").encoded == [
            0x0A, 0x05, 0x42, 0x65, 0x6E, 0x63, 0x68, 0x18, 0x03,
            0x22, 0x0D, 0x08, 0x01, 0x12, 0x09, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x31, 0x32, 0x33,
        ])
        // Open network: SSID only (security 0 is the default and left out); hidden sets field 6.
        #expect(USBWiFiCredentials(ssid: "Cafe", security: .none, password: nil, hidden: true).encoded
            == [0x0A, 0x04, 0x43, 0x61, 0x66, 0x65, 0x30, 0x01])
    }

    @Test("scan results decode with a negative RSSI")
    func scan() throws {
        // {1: {1 "A", 2 bssid, 3 3, 4 6, 5 -45 as a 10-byte varint (int32 is sign-extended to 64 bits)}}
        let entry: [UInt8] = [0x0A, 0x01, 0x41, 0x12, 0x06, 0xA0, 0xB1, 0xC2, 0xD3, 0xE4, 0xF5, 0x18, 0x03, 0x20, 0x06, 0x28,
                              0xD3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        let networks = try USBWiFiNetwork.scanResults(from: [0x0A, UInt8(entry.count)] + entry)
        #expect(networks == [USBWiFiNetwork(ssid: "A", security: "wpa2", bssid: "a0:b1:c2:d3:e4:f5", channel: 6, rssi: -45)])
    }
}
