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

    // MARK: - identify --all --json on every path (issue 9 item 7)

    @Test func identifyAllWithNothingAttachedPrintsAnEmptyListAndExits3() async throws {
        let result = try await ToolRunner.particlectl(["serial", "identify", "--all", "--json"], devices: UmockdevTree())
        #expect(result.status == 3)
        #expect(result.stdout == "[]\n")
        #expect(result.stderr == "particlectl: No Particle device found (is it plugged in? see udev-rules/ for permissions)\n")
    }

    @Test func identifyAllListsAFailingDeviceWithItsErrorAndExitCode() async throws {
        let result = try await ToolRunner.particlectl(
            ["serial", "identify", "--all", "--json", "--timeout", "0.5"], devices: photonTree(ttys: ["ttyACM0", "ttyACM1"]),
            scripts: [
                "/dev/ttyACM0": "w 0 i\nr 2 Your device id is e00fce68a1b2c3d4e5f60710^M^J\n",
                "/dev/ttyACM1": "w 0 i\nr 2000 x\n",
            ])
        #expect(result.status == 4, "\(result.stderr)")
        let message = "no answer from /dev/ttyACM1 within 0.5s — is the device in listening mode (blinking dark blue)? try `particlectl serial listen`"
        #expect(result.stdout == #"[{"id":"e00fce68a1b2c3d4e5f60710","port":"/dev/ttyACM0"},{"error":"\#(message)","exit_code":4,"port":"/dev/ttyACM1"}]"# + "\n")
        #expect(result.stderr == "particlectl: \(message)\n")
    }

    // MARK: - watch (issue 9 item 8)

    @Test func watchExistingReportsAttachedDevicesFirst() async throws {
        let script = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-watch.py").path
        let result = try await ToolRunner.run("/usr/bin/python3", [script, "--pre-plug", ToolRunner.particlectl, "--json", "--existing",
                                                              "--count", "2", "--timeout", "15"], timeout: 30)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let events = try result.stdoutLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(events.count == 2, "stdout: \(result.stdout)")
        #expect(events.map { $0["event"] as? String } == ["add", "add"])
        #expect(events.map { $0["serial_number"] as? String } == ["e00fce68aaaaaaaaaaaaaaaa", "e00fce680123456789abcdef"])
        #expect(events[0]["port"] as? String == "/dev/ttyACM3")
    }

    @Test func watchWithoutEnoughEventsBeforeItsTimeoutIsExit4() async throws {
        let result = try await ToolRunner.run("/usr/bin/umockdev-run", ["--", ToolRunner.particlectl, "serial", "watch",
                                                                   "--json", "--count", "3", "--timeout", "0.3"], timeout: 10)
        #expect(!result.timedOut)
        #expect(result.status == 4)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "Watching for Particle devices (Ctrl-C to stop)…\nparticlectl: saw 0 of 3 device events within 0.3s — plug the devices in (or raise --timeout)\n")
    }
}
