import Foundation
import ParticleCloud
import ParticleCore
import ParticleHardware
import ParticleProvisioning
import ParticleSerial
import ParticleSimulators
import Testing

// README-EXAMPLE-BEGIN
/// Identifies the device in listening mode on `port` and provisions it onto `ssid` for the account behind `token`.
func provision(port: String, ssid: String, password: String, token: String,
               apiURL: String = CloudConfiguration.defaultBaseURL) async throws -> ProvisioningSummary {
    // Serial I/O runs on the session's own thread, never on Swift's cooperative pool.
    let identity = try await ListeningModeSession.with(path: port) { try await $0.identify() }
    print("provisioning \(identity.deviceID) on \(port)")
    let plan = ProvisioningPlan(wifi: WiFiSettings(ssid: ssid, password: password, security: NetworkSecurity(.wpa2)))
    return try await CloudClient.with(CloudConfiguration(baseURL: apiURL, token: token)) { cloud in
        try await Provisioner(cloud: cloud, link: SerialLink(port: port), plan: plan).run { event in
            if case .finished(let report) = event { print(report.step.rawValue, report.outcome.rawValue) }
        }
    }
}
// README-EXAMPLE-END

/// The README's "Using the library" example, compiled and run against the simulated world, and kept identical to
/// the README's text.
@Suite("Library example")
struct LibraryExampleTests {
    @Test func theReadmeExampleProvisionsASimulatedDevice() async throws {
        let world = SimulatedWorld(cloudData: try FakeCloudSeed.data())
        let endpoints = try await world.start { _ in }
        do {
            let token = try await CloudClient.with(CloudConfiguration(baseURL: endpoints.cloudURL)) { client in
                try await client.tokens.login(username: "dev@example.com", password: "dev-password").accessToken
            }
            let summary = try await provision(port: endpoints.serialPort, ssid: endpoints.ssid,
                                              password: try #require(endpoints.wifiPassword), token: token,
                                              apiURL: endpoints.cloudURL)
            #expect(summary.deviceID == endpoints.serialDeviceID)
            #expect(summary.owner == "dev@example.com")
            #expect(summary.steps.last?.step == .verifyOwner)
            await world.stop()
        } catch {
            await world.stop()
            throw error
        }
    }

    @Test func theReadmeShowsExactlyThisCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        func block(_ text: String) -> String? {
            guard let start = text.range(of: "// README-EXAMPLE-BEGIN\n"),
                  let end = text.range(of: "// README-EXAMPLE-END", range: start.upperBound..<text.endIndex)
            else { return nil }
            return String(text[start.upperBound..<end.lowerBound])
        }
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let shown = try #require(block(readme), "README.md has no example block")
        #expect(shown == block(source))
    }
}
