import Testing
@testable import ParticleUSB

@Suite("network interface replies (400/401)")
struct NetworkInterfaceTests {
    @Test("an interface list decodes every entry")
    func list() throws {
        // {1: {1: 1, 2: "lo0", 3: 1}}, {1: {1: 4, 2: "wl4", 3: 8}}
        let reply: [UInt8] = [0x0A, 0x09, 0x08, 0x01, 0x12, 0x03, 0x6C, 0x6F, 0x30, 0x18, 0x01,
                              0x0A, 0x09, 0x08, 0x04, 0x12, 0x03, 0x77, 0x6C, 0x34, 0x18, 0x08]
        #expect(try NetworkInterface.list(from: reply) == [
            NetworkInterface(index: 1, name: "lo0", kind: .loopback),
            NetworkInterface(index: 4, name: "wl4", kind: .wifi),
        ])
        #expect(try NetworkInterface.list(from: []) == [])
    }

    @Test("an interface reply carries the MAC address in field 8")
    func detail() throws {
        let interface: [UInt8] = [0x08, 0x04, 0x12, 0x03, 0x77, 0x6C, 0x34, 0x18, 0x08,
                                  0x42, 0x06, 0xA4, 0xCF, 0x12, 0x01, 0x02, 0xFF]
        let reply: [UInt8] = [0x0A, UInt8(interface.count)] + interface
        let parsed = try NetworkInterface.detail(from: reply)
        #expect(parsed.name == "wl4")
        #expect(parsed.kind == .wifi)
        #expect(parsed.macAddress == "a4:cf:12:01:02:ff")
        #expect(throws: USBError.self) { try NetworkInterface.detail(from: []) }
    }
}
