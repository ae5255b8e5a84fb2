import Testing
@testable import ParticleHardware
import ParticleCore

@Suite("USB identity table")
struct USBIdentityTests {
    @Test("every known platform's CDC and DFU product ids map back to it", arguments: Platform.all)
    func roundTrip(platform: Platform) throws {
        let cdc = try #require(USBIdentity.cdcProductID(for: platform))
        let dfu = try #require(USBIdentity.dfuProductID(for: platform))
        let normal = try #require(USBIdentity.identify(vendorID: cdc.vendor, productID: cdc.product))
        #expect(normal.platform == platform)
        #expect(normal.mode == .normal)
        let boot = try #require(USBIdentity.identify(vendorID: dfu.vendor, productID: dfu.product))
        #expect(boot.platform == platform)
        #expect(boot.mode == .dfu)
    }

    @Test("documented product ids", arguments: [
        (UInt16(0xc006), "photon", 6), (0xc008, "p1", 8), (0xc00a, "electron", 10), (0xc00c, "argon", 12),
        (0xc00d, "boron", 13), (0xc00e, "xenon", 14), (0xc017, "bsom", 23), (0xc019, "b5som", 25),
        (0xc01a, "tracker", 26), (0xc020, "p2", 32), (0xc023, "msom", 35),
    ])
    func documented(productID: UInt16, name: String, id: Int) throws {
        let identity = try #require(USBIdentity.identify(vendorID: 0x2b04, productID: productID))
        #expect(identity.platform.name == name)
        #expect(identity.platform.id == id)
    }

    @Test func unknownParticleProductIsKeptAsUnknown() throws {
        let identity = try #require(USBIdentity.identify(vendorID: 0x2b04, productID: 0xc0ee))
        #expect(identity.platform == .unknown)
        #expect(identity.mode == .normal)
        let odd = try #require(USBIdentity.identify(vendorID: 0x2b04, productID: 0x1234))
        #expect(odd.platform == .unknown)
    }

    @Test func otherVendorsAreNotParticle() {
        #expect(USBIdentity.identify(vendorID: 0x0403, productID: 0x6001) == nil)
        #expect(USBIdentity.identify(vendorID: 0x1d50, productID: 0x6018) == nil)
        #expect(USBIdentity.identify(vendorID: 0x1d50, productID: 0x607d)?.platform.name == "core")
    }

    @Test func jsonKeysAndNulls() {
        let device = DeviceIdentity(usb: USBAddress(vendorID: 0x2b04, productID: 0xd006))
        let json = JSONOutput.line(USBDeviceJSON(device))
        #expect(json == #"{"mode":"dfu","platform":"photon","platform_id":6,"port":null,"product_id":"d006","serial_number":null,"usb_path":null,"vendor_id":"2b04"}"#)
    }

    @Test func jsonOfATTYDeviceWithEveryField() {
        let device = DeviceIdentity(usb: USBAddress(vendorID: 0x2b04, productID: 0xc00c,
                                                    serialNumber: "E00FCE681F2A3B4C5D6E7F80", path: "1-1.3",
                                                    port: "/dev/ttyACM0"))
        #expect(JSONOutput.line(USBDeviceJSON(device)) == #"{"mode":"normal","platform":"argon","platform_id":12,"port":"/dev/ttyACM0","product_id":"c00c","serial_number":"E00FCE681F2A3B4C5D6E7F80","usb_path":"1-1.3","vendor_id":"2b04"}"#)
        #expect(JSONOutput.line(DeviceEvent(kind: .remove, device: device)) == #"{"event":"remove","mode":"normal","platform":"argon","platform_id":12,"port":"/dev/ttyACM0","product_id":"c00c","serial_number":"E00FCE681F2A3B4C5D6E7F80","usb_path":"1-1.3","vendor_id":"2b04"}"#)
    }

    @Test func anUnknownParticleProductIsListedAsUnknown() {
        let device = DeviceIdentity(usb: USBAddress(vendorID: 0x2b04, productID: 0xc0ee, port: "/dev/ttyACM1"))
        #expect(device.platform == .unknown)
        #expect(JSONOutput.line(USBDeviceJSON(device)) == #"{"mode":"normal","platform":"unknown","platform_id":null,"port":"/dev/ttyACM1","product_id":"c0ee","serial_number":null,"usb_path":null,"vendor_id":"2b04"}"#)
    }

    @Test("a device found on USB: platform and mode from the product id, the ID from a USB serial number that is one")
    func identityFromUSB() {
        let usb = USBAddress(vendorID: 0x2b04, productID: 0xc020, serialNumber: "0A10ACED202194944A042F04",
                             path: "1-1.3", port: "/dev/ttyACM0")
        let device = DeviceIdentity(usb: usb)
        #expect(device.id == DeviceID("0a10aced202194944a042f04"))
        #expect(device.platform?.name == "p2")
        #expect(device.platform?.id == 32)
        #expect(device.port == "/dev/ttyACM0")
        #expect(device.usb?.mode == .normal)
        #expect(device.serialNumber == nil)
        let odd = DeviceIdentity(usb: USBAddress(vendorID: 0x2b04, productID: 0xd006, serialNumber: "SIM-1"))
        #expect(odd.id == nil)
        #expect(odd.usb?.mode == .dfu)
        #expect(odd.port == nil)
    }

    @Test("the USB path is the port chain in a sysfs path, for the tty and for its USB device alike", arguments: [
        ("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.3/1-1.3:1.0/tty/ttyACM0", "1-1.3"),
        ("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.3", "1-1.3"),
        ("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-4", "2-4"),
        ("/sys/devices/pci0000:00/0000:00:14.0/usb3/3-10.2.1/3-10.2.1:1.0/tty/ttyACM7", "3-10.2.1"),
    ])
    func usbPathFromSyspath(syspath: String, expected: String) {
        #expect(USBAddress.path(inSyspath: syspath) == expected)
    }

    @Test func noUSBPathOutsideUSB() {
        #expect(USBAddress.path(inSyspath: "/sys/devices/virtual/tty/ptmx") == nil)
        #expect(USBAddress.path(inSyspath: "/sys/devices/platform/serial8250/tty/ttyS0") == nil)
        #expect(USBAddress.path(inSyspath: "/sys/devices/usb1/1-/x") == nil)
    }

    @Test func portsSortNaturally() {
        let ports = ["/dev/ttyACM10", "/dev/ttyACM2", "/dev/ttyACM0"].map {
            DeviceIdentity(usb: USBAddress(vendorID: 0x2b04, productID: 0xc006, port: $0))
        }
        #expect(ports.sorted(by: DeviceIdentity.listingOrder).compactMap(\.port) ==
                ["/dev/ttyACM0", "/dev/ttyACM2", "/dev/ttyACM10"])
    }

    @Test func platformNamesAndAliases() {
        #expect(Platform.named("Photon2")?.name == "p2")
        #expect(Platform.named("muon")?.id == 35)
        #expect(Platform.named("6")?.name == "photon")
        #expect(Platform.named("toaster") == nil)
    }
}
