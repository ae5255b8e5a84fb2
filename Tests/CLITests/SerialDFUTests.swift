import Foundation
import Testing

/// `serial dfu`'s success path end to end: the 14400-baud signal reaches the simulated device on a pty, and the device
/// re-appearing in DFU mode is a hot-plug event from a umockdev testbed (scripts/test/umockdev-dfu.py).
@Suite("serial dfu with the hot-plug confirmation")
struct SerialDFUTests {
    @Test func dfuSendsTheSignalAndConfirmsTheDeviceReappearingInDFUMode() async throws {
        let script = ToolRunner.packageRoot.appendingPathComponent("scripts/test/umockdev-dfu.py").path
        let result = try await ToolRunner.run("/usr/bin/python3", [
            script, ToolRunner.particlectl, ToolRunner.particlectlSim, "--json", "--timeout", "15",
        ], timeout: 40)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let port = try #require(result.stderr.split(separator: "\n").first.map { String($0.dropFirst("port: ".count)) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "stdout: \(result.stdout)")
        #expect(object["confirmed"] as? Bool == true)
        #expect(object["serial_number"] as? String == "e00fce68fedcba9876543210")
        #expect(object["port"] as? String == port)
        #expect(result.stdout == #"{"confirmed":true,"port":"\#(port)","serial_number":"e00fce68fedcba9876543210"}"# + "\n")
    }
}
