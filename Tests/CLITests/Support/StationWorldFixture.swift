import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `particlectl sim station` in the background: N simulated devices on ptys (some with faults) and the fake cloud,
/// with the environment that points `particlectl station run` at them, and a scratch folder for ledgers and profiles.
final class StationWorldFixture: @unchecked Sendable {
    struct SimulatedDevice {
        var port: String
        var deviceID: String
        var serialNumber: String
    }

    let tool: BackgroundTool
    let cloudURL: String
    let token: String
    let ssid: String
    let password: String
    let devices: [SimulatedDevice]
    let folder: URL

    init(devices count: Int, faults: [String] = []) async throws {
        tool = try BackgroundTool(ToolRunner.particlectlSim,
                                  ["station", "--devices", String(count), "--json"] + faults.flatMap { ["--fault", $0] })
        let line = try await tool.firstLine()
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        func field(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw BackgroundToolError(message: "sim station printed no \(key): \(line)") }
            return value
        }
        cloudURL = try field("cloud_url")
        token = try field("token")
        ssid = try field("ssid")
        password = try field("password")
        devices = (object["devices"] as? [[String: Any]] ?? []).map {
            SimulatedDevice(port: $0["port"] as? String ?? "", deviceID: $0["device_id"] as? String ?? "",
                            serialNumber: $0["serial_number"] as? String ?? "")
        }
        guard devices.count == count else { throw BackgroundToolError(message: "sim station listed \(devices.count) devices: \(line)") }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-station-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        tool.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var ledger: String { folder.appendingPathComponent("station.sqlite").path }
    var ports: [String] { devices.map(\.port) }

    var environment: [String: String] {
        ["XDG_CONFIG_HOME": folder.path, "HOME": folder.path, "PARTICLE_API_URL": cloudURL, "PARTICLE_AUTH": token,
         "LINE_WIFI_PASSWORD": password]
    }

    /// `station run` on every (or the given) port, with the world's Wi-Fi and a name template; more arguments after.
    func stationArguments(ports: [String]? = nil, _ more: [String]) -> [String] {
        ["station", "run", "--ledger", ledger, "--station", "bench-a", "--ssid", ssid, "--password-env",
         "LINE_WIFI_PASSWORD", "--name-template", "widget-{seq:03}"]
            + (ports ?? self.ports).flatMap { ["--port", $0] } + more
    }

    func particlectl(_ arguments: [String], stdin: String? = nil, timeout: Double = 90) async throws -> ToolResult {
        try await ToolRunner.particlectl(arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// A file in the scratch folder.
    func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    /// Sets the fake cloud's faults through its simulator endpoint.
    func setFaults(_ json: String) throws {
        _ = try simulator("faults", method: "POST", body: json)
    }

    /// The API requests the fake cloud recorded.
    func recordedRequests() throws -> [[String: Any]] {
        let data = try simulator("requests", method: "GET", body: nil)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    /// The fake cloud's devices (`/_sim/state`), by device ID.
    func cloudDevices() throws -> [String: [String: Any]] {
        let state = try JSONSerialization.jsonObject(with: try simulator("state", method: "GET", body: nil)) as? [String: Any]
        var devices: [String: [String: Any]] = [:]
        for device in state?["devices"] as? [[String: Any]] ?? [] {
            if let id = device["id"] as? String { devices[id] = device }
        }
        return devices
    }

    private func simulator(_ path: String, method: String, body: String?) throws -> Data {
        guard let url = URL(string: cloudURL + "/_sim/" + path) else { throw BackgroundToolError(message: "bad URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, any Error> = .success(Data())
        URLSession.shared.dataTask(with: request) { data, _, error in
            result = error.map { .failure($0) } ?? .success(data ?? Data())
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 10) == .success else { throw BackgroundToolError(message: "simulator: no answer") }
        return try result.get()
    }
}

/// The JSON lines of `station run --json`.
struct StationEvents {
    let events: [[String: Any]]

    init(_ stdout: String) throws {
        events = try stdout.split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw BackgroundToolError(message: "not a JSON object: \($0)")
            }
            return object
        }
    }

    func matching(step: String? = nil, outcome: String? = nil, slot: String? = nil) -> [[String: Any]] {
        events.filter { event in
            (step == nil || event["step"] as? String == step) && (outcome == nil || event["outcome"] as? String == outcome)
                && (slot == nil || event["slot"] as? String == slot)
        }
    }

    /// The "result" event of each slot, by slot.
    var results: [String: [String: Any]] {
        Dictionary(matching(step: "result").map { ($0["slot"] as? String ?? "", $0) }, uniquingKeysWith: { $1 })
    }
}
