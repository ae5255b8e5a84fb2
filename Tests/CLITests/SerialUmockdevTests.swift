import Foundation
import Testing

/// Discovery and the listening-mode dialogue together: the real libudev finds the device in a sysfs faked by
/// umockdev, and umockdev's scripted tty plays the device's side of the exchange on /dev/ttyACM0.
@Suite("serial identify under umockdev")
struct SerialUmockdevTests {
    func photonTree(ttys: [String] = ["ttyACM0"]) -> UmockdevTree {
        var tree = UmockdevTree()
        for (index, tty) in ttys.enumerated() {
            tree.addSerialDevice(vendor: "2b04", product: "c006", serial: "e00fce68a1b2c3d4e5f6071\(index)", tty: tty)
        }
        return tree
    }

    @Test func identifyFindsTheOnlyDeviceAndAsksIt() async throws {
        // The script fails the run if particlectl writes anything but `i`.
        let script = "w 0 i\nr 2 Your device id is e00fce68a1b2c3d4e5f60710^M^J\n"
        let result = try await ToolRunner.particlectl(["serial", "identify", "--json"], devices: photonTree(),
                                                scripts: ["/dev/ttyACM0": script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"id":"e00fce68a1b2c3d4e5f60710"}"# + "\n")
    }

    @Test func identifyAllAsksEveryDevice() async throws {
        let result = try await ToolRunner.particlectl(
            ["identify", "--all", "--json"], devices: photonTree(ttys: ["ttyACM0", "ttyACM1"]),
            scripts: [
                "/dev/ttyACM0": "w 0 i\nr 2 Your device id is e00fce68a1b2c3d4e5f60710^M^J\n",
                "/dev/ttyACM1": "w 0 i\nr 2 Device ID: e00fce68a1b2c3d4e5f60711^M^JIMEI: 352753090000000^M^JICCID: 89014103000000000000^M^J\n",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"[{"id":"e00fce68a1b2c3d4e5f60710","port":"/dev/ttyACM0"},{"iccid":"89014103000000000000","id":"e00fce68a1b2c3d4e5f60711","imei":"352753090000000","port":"/dev/ttyACM1"}]"# + "\n")
    }

    @Test func withoutAnyDeviceIdentifyIsNotFound() async throws {
        let result = try await ToolRunner.particlectl(["serial", "identify"], devices: UmockdevTree())
        #expect(result.status == 3)
        #expect(result.stderr == "particlectl: No Particle device found (is it plugged in? see udev-rules/ for permissions)\n")
    }

    @Test func withSeveralDevicesIdentifyAsksForAPort() async throws {
        let result = try await ToolRunner.particlectl(["serial", "identify"], devices: photonTree(ttys: ["ttyACM0", "ttyACM1"]))
        #expect(result.status == 3)
        #expect(result.stderr.contains("choose one with --port"))
    }
}
