import Foundation
import ParticleCore
import ParticleHardware
import Testing

/// `serial list` and `serial watch` through the built executable, with the real libudev reading a sysfs faked by
/// umockdev.
@Suite("USB discovery (umockdev)")
struct DiscoveryTests {
    static let keys: Set<String> = ["port", "platform", "platform_id", "vendor_id", "product_id", "serial_number", "mode", "usb_path"]

    private func listJSON(_ tree: UmockdevTree) async throws -> [[String: Any]] {
        let result = try await ToolRunner.particlectl(["serial", "list", "--json"], devices: tree)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(parsed as? [[String: Any]])
    }

    @Test("every platform in the table is listed with its name and id", arguments: Platform.all.filter { $0.id != 0 })
    func everyPlatform(platform: Platform) async throws {
        var tree = UmockdevTree()
        let productID = try #require(USBIdentity.cdcProductID(for: platform)).product
        tree.addSerialDevice(vendor: "2b04", product: String(format: "%04x", productID),
                             serial: "e00fce68000000000000abcd", tty: "ttyACM0")
        let devices = try await listJSON(tree)
        try #require(devices.count == 1)
        #expect(Set(devices[0].keys) == Self.keys)
        #expect(devices[0]["platform"] as? String == platform.name)
        #expect(devices[0]["platform_id"] as? Int == platform.id)
        #expect(devices[0]["port"] as? String == "/dev/ttyACM0")
        #expect(devices[0]["mode"] as? String == "normal")
        #expect(devices[0]["vendor_id"] as? String == "2b04")
        #expect(devices[0]["product_id"] as? String == String(format: "%04x", productID))
        #expect(devices[0]["serial_number"] as? String == "e00fce68000000000000abcd")
        #expect(devices[0]["usb_path"] as? String == "1-1")
    }

    @Test func theCoreUsesItsOwnVendorID() async throws {
        var tree = UmockdevTree()
        tree.addSerialDevice(vendor: "1d50", product: "607d", serial: "53ff6f065075535128431387", tty: "ttyACM0")
        tree.addSerialDevice(vendor: "1d50", product: "6018", serial: "BMP1", tty: "ttyACM1")  // a Black Magic Probe
        let devices = try await listJSON(tree)
        try #require(devices.count == 1)
        #expect(devices[0]["platform"] as? String == "core")
        #expect(devices[0]["platform_id"] as? Int == 0)
    }

    @Test func dfuDeviceHasNoPort() async throws {
        var tree = UmockdevTree()
        tree.addUSBDevice(vendor: "2b04", product: "d00d", serial: "e00fce6811112222333344ab")
        let devices = try await listJSON(tree)
        try #require(devices.count == 1)
        #expect(Set(devices[0].keys) == Self.keys)
        #expect(devices[0]["port"] is NSNull)
        #expect(devices[0]["mode"] as? String == "dfu")
        #expect(devices[0]["platform"] as? String == "boron")
        #expect(devices[0]["product_id"] as? String == "d00d")
    }

    @Test func nonParticleSerialDevicesAreNotListed() async throws {
        var tree = UmockdevTree()
        tree.addSerialDevice(vendor: "0403", product: "6001", serial: "FT4ABC", tty: "ttyUSB0")
        tree.addSerialDevice(vendor: "2341", product: "0043", serial: "ARDUINO", tty: "ttyACM3")
        await #expect(try listJSON(tree).isEmpty)
        let human = try await ToolRunner.particlectl(["serial", "list"], devices: tree)
        #expect(human.status == 0)
        #expect(human.stdout == "No Particle devices found.\n")
    }

    @Test func twoDevicesSortedByPortWithDFULast() async throws {
        var tree = UmockdevTree()
        tree.addUSBDevice(vendor: "2b04", product: "d020", serial: "0a10aced202194944a042f04")
        tree.addSerialDevice(vendor: "2b04", product: "c00c", serial: "e00fce68aaaaaaaaaaaaaaaa", tty: "ttyACM1")
        tree.addSerialDevice(vendor: "2b04", product: "c006", serial: "e00fce68bbbbbbbbbbbbbbbb", tty: "ttyACM0")
        let devices = try await listJSON(tree)
        #expect(devices.map { $0["port"] as? String } == ["/dev/ttyACM0", "/dev/ttyACM1", nil])
        #expect(devices.map { $0["platform"] as? String } == ["photon", "argon", "p2"])
    }

    @Test func missingSerialNumberIsNull() async throws {
        var tree = UmockdevTree()
        tree.addSerialDevice(vendor: "2b04", product: "c008", serial: nil, tty: "ttyACM0")
        let devices = try await listJSON(tree)
        try #require(devices.count == 1)
        #expect(Set(devices[0].keys) == Self.keys)
        #expect(devices[0]["serial_number"] is NSNull)
        #expect(devices[0]["platform"] as? String == "p1")
    }

    @Test func unknownParticleProductIDIsListedAsUnknown() async throws {
        var tree = UmockdevTree()
        tree.addSerialDevice(vendor: "2b04", product: "c0ee", serial: "e00fce68cccccccccccccccc", tty: "ttyACM0")
        let devices = try await listJSON(tree)
        try #require(devices.count == 1)
        #expect(devices[0]["platform"] as? String == "unknown")
        #expect(devices[0]["platform_id"] is NSNull)
        #expect(devices[0]["product_id"] as? String == "c0ee")
    }

    @Test func noDevicesIsAnEmptyListAndExitZero() async throws {
        let result = try await ToolRunner.particlectl(["serial", "list", "--json"], devices: UmockdevTree())
        #expect(result.status == 0)
        #expect(result.stdout == "[]\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func humanListIsATable() async throws {
        var tree = UmockdevTree()
        tree.addSerialDevice(vendor: "2b04", product: "c006", serial: "e00fce68bbbbbbbbbbbbbbbb", tty: "ttyACM0")
        tree.addUSBDevice(vendor: "2b04", product: "d020", serial: nil)
        let result = try await ToolRunner.particlectl(["serial", "list"], devices: tree)
        #expect(result.status == 0)
        #expect(result.stdoutLines == [
            "PORT          PLATFORM  MODE    USB ID     SERIAL NUMBER",
            "/dev/ttyACM0  photon    normal  2b04:c006  e00fce68bbbbbbbbbbbbbbbb",
            "-             p2        dfu     2b04:d020  -",
        ])
    }

    @Test func watchReportsPlugAndUnplugAsJSONLines() async throws {
        let script = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-watch.py").path
        let result = try await ToolRunner.run("/usr/bin/python3", [script, ToolRunner.particlectl, "--json",
                                                              "--count", "4", "--timeout", "15"], timeout: 30)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let events = try result.stdoutLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(events.count == 4, "stdout: \(result.stdout)")
        #expect(events.map { $0["event"] as? String } == ["add", "add", "remove", "remove"])
        #expect(events.map { $0["platform"] as? String } == ["photon", "argon", "photon", "argon"])
        #expect(events.map { $0["mode"] as? String } == ["normal", "dfu", "normal", "dfu"])
        #expect(events[0]["port"] as? String == "/dev/ttyACM0")
        #expect(events[1]["port"] is NSNull)
        #expect(events[2]["serial_number"] as? String == "e00fce680123456789abcdef")
        for event in events { #expect(Set(event.keys) == Self.keys.union(["event"])) }
    }

    @Test func watchStopsAtItsTimeoutWhenNothingHappens() async throws {
        let result = try await ToolRunner.run("/usr/bin/umockdev-run", ["--", ToolRunner.particlectl, "serial", "watch",
                                                                   "--json", "--timeout", "0.3"], timeout: 10)
        #expect(!result.timedOut)
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test func watchRejectsBadOptionsWithUsageExit() async throws {
        let result = try await ToolRunner.particlectl(["serial", "watch", "--timeout", "0"])
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: The value '0' is invalid for '--timeout <seconds>': a duration is a number of seconds from 0.01 to 86400 (one day) (see --help)\n")
        let unknown = try await ToolRunner.particlectl(["serial", "list", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "particlectl: Unknown option '--bogus' (see --help)\n")
    }
}
