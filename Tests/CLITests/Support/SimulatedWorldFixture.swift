import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `particlectl sim all` in the background, with a logged-in particlectl configuration pointing at its cloud.
final class SimulatedWorldFixture: @unchecked Sendable {
    let tool: BackgroundTool
    let cloudURL: String
    let serialPort: String
    let serialDeviceID: String
    let softAPTCP: String
    let softAPHTTP: String
    let softAPDeviceID: String
    let configHome: URL
    static let wifiPassword = "correct horse battery"

    init() async throws {
        tool = try BackgroundTool(ToolRunner.particlectlSim, ["all", "--json", "--duration", "600"])
        let line = try await tool.firstLine()
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        func field(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw BackgroundToolError(message: "sim all printed no \(key): \(line)") }
            return value
        }
        cloudURL = try field("cloud_url")
        serialPort = try field("serial_port")
        serialDeviceID = try field("serial_device_id")
        softAPTCP = try field("softap_tcp")
        softAPHTTP = try field("softap_http")
        softAPDeviceID = try field("softap_device_id")
        configHome = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: configHome, withIntermediateDirectories: true)
        let login = try await ToolRunner.particlectl(["login", "--username", "dev@example.com", "--password-stdin"],
                                               stdin: "dev-password\n", environment: environment)
        guard login.status == 0 else { throw BackgroundToolError(message: "login failed: \(login.stderr)") }
    }

    deinit {
        tool.stop()
        try? FileManager.default.removeItem(at: configHome)
    }

    var environment: [String: String] {
        ["XDG_CONFIG_HOME": configHome.path, "PARTICLE_API_URL": cloudURL, "HOME": configHome.path]
    }

    /// Runs particlectl against this world.
    func particlectl(_ arguments: [String], stdin: String? = nil, timeout: Double = 60) async throws -> ToolResult {
        try await ToolRunner.particlectl(arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Sets the fake cloud's faults through its simulator endpoint.
    func setFaults(_ json: String) throws {
        guard let url = URL(string: cloudURL + "/_sim/faults") else { throw BackgroundToolError(message: "bad URL") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        URLSession.shared.dataTask(with: request) { _, _, error in
            failure = error
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 10) == .success else { throw BackgroundToolError(message: "faults: no answer") }
        if let failure { throw failure }
    }
}
