import Foundation
import Testing

/// `particlectl station run` with devices from USB hot-plug, under a umockdev testbed (real libudev, a faked USB bus):
/// behind each plugged tty, a simulated device of `particlectl sim station` answers on a pty.
@Suite("Factory station: USB hot-plug under umockdev")
struct StationHotPlugTests {
    static let harness = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-station.py").path

    /// A regular expression matching a JSON event line that has every one of `fields` (in any key order).
    static func event(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }
            .map { "(?=.*\"\($0.key)\":\"\(NSRegularExpression.escapedPattern(for: $0.value))\")" }.joined() + ".*"
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test func devicesPluggedInAreProvisionedAndOneUnpluggedMidRunResumesInAnotherPort() async throws {
        // Device 1 answers slowly, so that it is unplugged while the station is in its Wi-Fi dialogue.
        let world = try await StationWorldFixture(devices: 2, faults: ["1=slow"])
        let (first, second) = (world.devices[0], world.devices[1])
        let control = [
            "wait " + Self.quoted(Self.event(["slot": "1-1.3", "step": "configure", "outcome": "started"])),
            "remove 0",
            "wait " + Self.quoted(Self.event(["slot": "1-1.3", "step": "result"])),
            // The same device, plugged into another port of the hub.
            "add 2 \(first.port) 1-1.5 c00c \(first.serialNumber)",
            "",
        ].joined(separator: "\n")
        let station = ["station", "run", "--ledger", world.ledger, "--station", "bench-a", "--ssid", world.ssid,
                       "--password-env", "LINE_WIFI_PASSWORD", "--name-template", "widget-{seq:03}", "--count", "3",
                       "--json"]
        let result = try await ToolRunner.run("/usr/bin/python3", [
            Self.harness, "--timeout", "100",
            "--add", "0 \(first.port) 1-1.3 c00c \(first.serialNumber)",
            "--add", "1 \(second.port) 1-1.4 c00c \(second.serialNumber)",
            "--", ToolRunner.particlectl,
        ] + station, stdin: control, environment: world.environment, timeout: 120)
        #expect(result.status == 1, "stdout: \(result.stdout)\nstderr: \(result.stderr)")

        let lines = result.stdout.split(separator: "\n").map(String.init)
        let events = try StationEvents(lines.filter { $0.hasPrefix("{") }.joined(separator: "\n"))
        // Slots are the USB paths; the unplugged one ends interrupted, the others provisioned.
        let results = events.results
        #expect(Set(results.keys) == ["1-1.3", "1-1.4", "1-1.5"], "stdout: \(result.stdout)")
        #expect(results["1-1.3"]?["outcome"] as? String == "interrupted")
        #expect(results["1-1.3"]?["device_id"] as? String == first.deviceID)
        #expect(results["1-1.4"]?["outcome"] as? String == "provisioned")
        #expect(results["1-1.5"]?["outcome"] as? String == "provisioned")
        #expect(results["1-1.5"]?["device_id"] as? String == first.deviceID)
        #expect(events.matching(step: "slot", outcome: "detached", slot: "1-1.3").count == 1)
        #expect(events.matching(slot: "1-1.3").first?["port"] as? String == "/dev/ttyACM0")
        #expect(events.matching(slot: "1-1.5").first?["port"] as? String == "/dev/ttyACM2")

        // The ledger: the device unplugged at 1-1.3 finished at 1-1.5 with the name it was given first; two names.
        let report = try await world.particlectl(["station", "report", "--ledger", world.ledger, "--format", "json"])
        #expect(report.status == 0, "stderr: \(report.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any] ?? [:]
        let devices = object["devices"] as? [[String: Any]] ?? []
        let moved = try #require(devices.first { $0["device_id"] as? String == first.deviceID })
        #expect(moved["status"] as? String == "provisioned")
        #expect(moved["slot"] as? String == "1-1.5")
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["widget-001", "widget-002"])
        let renamed = events.matching(step: "rename", slot: "1-1.5")
        let firstName = events.matching(step: "rename", slot: "1-1.3")
        #expect(firstName.isEmpty)  // unplugged before it was named
        #expect(renamed.contains { ($0["detail"] as? String ?? "").contains(moved["name"] as? String ?? "?") })
        #expect(moved["attempts"] as? Int == 2)  // interrupted at 1-1.3, provisioned at 1-1.5
    }
}
