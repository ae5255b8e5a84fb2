import ParticleCore
import Testing
@testable import ParticleUSB

/// Recorded reply payloads (written out by hand from the wire format) decode to the values Device OS means; fields
/// this side does not declare are skipped, as nanopb skips them; a truncated or malformed payload is a
/// protocol violation naming the request, with the README's remote-error exit status.
@Suite("protobuf reply payloads")
struct ProtoReplyMessageTests {
    @Test("GetDeviceModeReply (72): the empty reply is normal mode; unknown fields are skipped")
    func deviceMode() throws {
        #expect(try DeviceMode(reply: []) == .normal)
        #expect(try DeviceMode(reply: [0x08, 0x00]) == .normal)
        #expect(try DeviceMode(reply: [0x08, 0x01]) == .listening)
        // Field 2 (varint), field 3 (bytes) and field 4 (fixed32), all unknown here, around the mode.
        #expect(try DeviceMode(reply: [0x10, 0x05, 0x1A, 0x02, 0xAA, 0xBB, 0x08, 0x01, 0x25, 1, 2, 3, 4]) == .listening)
    }

    @Test("IsClaimedReply (201) and GetConnectionStatusReply (300)")
    func claimedAndCloud() throws {
        #expect(try DeviceMessages.isClaimed(reply: [0x08, 0x01]))
        #expect(try !DeviceMessages.isClaimed(reply: []))
        #expect(try CloudConnectionStatus(reply: []) == .disconnected)
        #expect(try CloudConnectionStatus(reply: [0x08, 0x01]) == .connecting)
        #expect(try CloudConnectionStatus(reply: [0x08, 0x02]) == .connected)
        #expect(try CloudConnectionStatus(reply: [0x08, 0x03]) == .disconnecting)
        let unknown = USBError(.protocolViolation("an unknown connection status 7"), requestType: 300)
        #expect(throws: unknown) { try CloudConnectionStatus(reply: [0x08, 0x07]) }
    }

    @Test("GetIccidReply (554): an empty IMEI (Device OS 6.0.0) is nil")
    func cellular() throws {
        let iccid: [UInt8] = [0x38, 0x39, 0x30, 0x31, 0x34, 0x31, 0x30, 0x33, 0x32, 0x31,
                              0x31, 0x31, 0x31, 0x38, 0x35, 0x31, 0x30, 0x37, 0x32, 0x30] // "89014103211118510720"
        let imei: [UInt8] = [0x33, 0x35, 0x32, 0x37, 0x35, 0x33, 0x30, 0x39, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31]
        let both = try DeviceMessages.cellularIDs(reply: [0x0A, 0x14] + iccid + [0x12, 0x0F] + imei)
        #expect(both.iccid == "89014103211118510720")
        #expect(both.imei == "352753090000001")
        let iccidOnly = try DeviceMessages.cellularIDs(reply: [0x0A, 0x14] + iccid)
        #expect(iccidOnly.iccid == "89014103211118510720")
        #expect(iccidOnly.imei == nil)
    }

    @Test("ScanNetworksReply (506): a non-UTF-8 SSID does not spoil the scan; unknown fields are skipped")
    func scanWithOddSSID() throws {
        // {1 "Caf\xE9" (Latin-1), 3 WPA2, 4 11, 5 -71, 9 (unknown) 1}, {1 "" (hidden), 3 7 (not a Security)}, and a
        // top-level field 2 (fixed32, unknown).
        let first: [UInt8] = [0x0A, 0x04, 0x43, 0x61, 0x66, 0xE9, 0x18, 0x03, 0x20, 0x0B,
                              0x28, 0xB9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x48, 0x01]
        let second: [UInt8] = [0x18, 0x07]
        let reply: [UInt8] = [0x0A, UInt8(first.count)] + first + [0x15, 1, 0, 0, 0] + [0x0A, 0x02] + second
        #expect(try USBWiFiNetwork.scanResults(from: reply) == [
            USBWiFiNetwork(ssid: "Caf\u{FFFD}", security: "wpa2", bssid: nil, channel: 11, rssi: -71),
            USBWiFiNetwork(ssid: "", security: "unknown (7)", bssid: nil, channel: 0, rssi: 0),
        ])
        #expect(try USBWiFiNetwork.scanResults(from: []) == [])
    }

    @Test("GetKnownNetworksReply (502) and GetCurrentNetworkReply (505)")
    func knownAndCurrent() throws {
        // {1 "Bench", 2 WPA2, 3 PASSWORD}, {1 "Open"}
        let reply: [UInt8] = [0x0A, 0x0B, 0x0A, 0x05, 0x42, 0x65, 0x6E, 0x63, 0x68, 0x10, 0x03, 0x18, 0x01,
                              0x0A, 0x06, 0x0A, 0x04, 0x4F, 0x70, 0x65, 0x6E]
        #expect(try USBWiFiNetwork.knownNetworks(from: reply) == [
            USBWiFiNetwork(ssid: "Bench", security: "wpa2"), USBWiFiNetwork(ssid: "Open", security: "none"),
        ])
        // {1 "Bench", 2 a0:b1:c2:d3:e4:f5, 3 6, 4 -45}
        let current: [UInt8] = [0x0A, 0x05, 0x42, 0x65, 0x6E, 0x63, 0x68, 0x12, 0x06, 0xA0, 0xB1, 0xC2, 0xD3, 0xE4, 0xF5,
                                0x18, 0x06, 0x20, 0xD3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(try USBWiFiNetwork.current(from: current)
            == USBWiFiNetwork(ssid: "Bench", bssid: "a0:b1:c2:d3:e4:f5", channel: 6, rssi: -45))
    }

    @Test("GetInterfaceReply (401): flags, IP configuration and MTU (not declared here) are skipped")
    func interfaceWithEverything() throws {
        let interface: [UInt8] = [0x08, 0x04, 0x12, 0x03, 0x77, 0x6C, 0x34, 0x18, 0x08,
                                  0x20, 0xC3, 0x80, 0x02,                   // 4 flags UP|BROADCAST|RUNNING|MULTICAST
                                  0x32, 0x07, 0x1A, 0x05, 0x0D, 0x01, 0x00, 0xA8, 0xC0, // 6 ipv4_config {3 gateway {1 192.168.0.1}}
                                  0x42, 0x06, 0xA4, 0xCF, 0x12, 0x01, 0x02, 0xFF, // 8 hw_address
                                  0x48, 0xDC, 0x0B]                         // 9 mtu 1500
        let parsed = try NetworkInterface.detail(from: [0x0A, UInt8(interface.count)] + interface)
        #expect(parsed == NetworkInterface(index: 4, name: "wl4", kind: .wifi,
                                           hardwareAddress: [0xA4, 0xCF, 0x12, 0x01, 0x02, 0xFF]))
        // An interface type Device OS does not define leaves the kind unknown.
        #expect(try NetworkInterface.list(from: [0x0A, 0x04, 0x08, 0x09, 0x18, 0x20])
            == [NetworkInterface(index: 9, name: "", kind: nil)])
        #expect(throws: USBError(.protocolViolation("an interface reply without an interface"), requestType: 401)) {
            try NetworkInterface.detail(from: [0x10, 0x01])
        }
    }

    @Test("GetModuleInfoReply (90): the new format wins over the old one; hash, max_size and security are skipped")
    func moduleInfoBothFormats() throws {
        // New: {1 2 bootloader, 2 0, 3 3000, 4 1 factory, 5 49152, 6 0x1E, 7 0x0E, 8 hash (32 bytes), 11 49000,
        // 12 {1 1}}. Old (ignored when the new one is there): {1 1, 3 1}.
        let hash = [UInt8](repeating: 0x5A, count: 32)
        let module: [UInt8] = [0x08, 0x02, 0x18, 0xB8, 0x17, 0x20, 0x01, 0x28, 0x80, 0x80, 0x03,
                               0x35, 0x1E, 0x00, 0x00, 0x00, 0x3D, 0x0E, 0x00, 0x00, 0x00, 0x42, 0x20] + hash
            + [0x58, 0xE8, 0xFE, 0x02, 0x62, 0x02, 0x08, 0x01]
        let reply: [UInt8] = [0x0A, 0x04, 0x08, 0x01, 0x18, 0x01, 0x12, UInt8(module.count)] + module
        #expect(try FirmwareModule.modules(from: reply) == [
            FirmwareModule(type: "bootloader", index: 0, version: 3000, store: "factory", size: 49000,
                           failedChecks: ["platform"], dependencies: []),
        ])
        // A module type beyond the table is named by its number.
        #expect(try FirmwareModule.modules(from: [0x12, 0x02, 0x08, 0x0C]).first?.type == "type 12")
    }

    @Test("a truncated or malformed reply is a protocol violation naming the request", arguments: [
        // (reply, request type, what the message says)
        ([0x08] as [UInt8], 72 as UInt16, "a truncated reply message"),                       // varint cut short
        ([0x0A, 0x05, 0x61], 506, "a truncated reply message"),                              // length past the end
        ([0x0A, 0x09, 0x08, 0x01, 0x12, 0x03, 0x6C], 400, "a truncated reply message"),       // inside an entry
        ([0x35, 0x01, 0x00], 90, "a truncated reply message"),                               // fixed32 cut short
        ([0x0F, 0x00], 300, "a malformed reply message"),                                     // wire type 7
        ([0x00, 0x01], 201, "a malformed reply message"),                                     // field number 0
        ([0x0A, 0x02, 0xC3, 0x28], 554, "a reply message with a text field that is not UTF-8"), // ICCID not UTF-8
    ])
    func malformed(reply: [UInt8], type: UInt16, detail: String) {
        let decode: () throws(USBError) -> Void = {
            switch type {
            case 72: _ = try DeviceMode(reply: reply)
            case 506: _ = try USBWiFiNetwork.scanResults(from: reply)
            case 400: _ = try NetworkInterface.list(from: reply)
            case 90: _ = try FirmwareModule.modules(from: reply)
            case 300: _ = try CloudConnectionStatus(reply: reply)
            case 201: _ = try DeviceMessages.isClaimed(reply: reply)
            default: _ = try DeviceMessages.cellularIDs(reply: reply)
            }
        }
        do {
            try decode()
            Issue.record("decoded \(reply) without an error")
        } catch {
            #expect(error == USBError(.protocolViolation(detail), requestType: type))
            #expect(error.exitStatus == .remoteError)
            #expect(error.message == "the device broke the control-request protocol in request \(RequestType.name(of: type)): "
                + "\(detail); unplug it and try again")
        }
    }
}
