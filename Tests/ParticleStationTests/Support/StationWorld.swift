import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ParticleSimulators

/// A simulated hub for the station's tests, in this process: N devices in listening mode on real pseudo-terminals
/// and the fake cloud on loopback (real HTTP), with per-device faults — what `particlectl sim station` runs.
///
/// ```swift
/// try await StationWorld.with(devices: 4, faults: [.init(device: 2, fault: .wrongWiFi)]) { world in
///     // world.ports, world.cloudURL, world.token, world.ssid, world.password …
///     #expect(await world.waitUntilOnline(world.deviceIDs[0], timeout: 10))
/// }
/// ```
final class StationWorld: Sendable {
    let station: SimulatedStation
    let description: SimulatedStation.Description

    /// The devices' ports (pty slave paths), device IDs and serial numbers, in device order (device 1 first).
    var ports: [String] { description.devices.map(\.port) }
    var deviceIDs: [String] { description.devices.map(\.deviceID) }
    var serialNumbers: [String] { description.devices.map(\.serialNumber) }
    /// The fake cloud's URL and a non-expiring token of `dev@example.com`, whose claim codes claim devices to it.
    var cloudURL: String { description.cloudURL }
    var token: String { description.token }
    var username: String { description.username }
    /// The simulated network a device must be given to come online ("HomeNet", "correct horse battery").
    var ssid: String { description.ssid }
    var password: String { description.password }

    private init(station: SimulatedStation, description: SimulatedStation.Description) {
        self.station = station
        self.description = description
    }

    /// Starts a world. `faults` number the devices from 1, as `sim station --fault N=KIND` does. `joinDelay`: how
    /// long a device takes to come online once it left listening mode with the right Wi-Fi.
    static func start(devices: Int = 1, faults: [StationFaultAssignment] = [], platform: SimulatedPlatform = .argon,
                      joinDelay: Double = 0.05, log: @escaping SimulatedStation.Log = { _ in }) async throws
        -> StationWorld
    {
        var configuration = SimulatedStation.Configuration()
        configuration.devices = devices
        configuration.platform = platform
        configuration.joinDelay = joinDelay
        configuration.faults = try StationFaultAssignment.plan(faults, devices: devices)
        let station = SimulatedStation(configuration: configuration, cloudData: try FakeCloudSeed.data())
        do {
            return StationWorld(station: station, description: try await station.start(log: log))
        } catch {
            await station.stop()
            throw error
        }
    }

    /// Runs `body` with a world and stops the world afterwards, whether `body` throws or not.
    static func with<T>(devices: Int = 1, faults: [StationFaultAssignment] = [], platform: SimulatedPlatform = .argon,
                        joinDelay: Double = 0.05, _ body: (StationWorld) async throws -> T) async throws -> T {
        let world = try await start(devices: devices, faults: faults, platform: platform, joinDelay: joinDelay)
        do {
            let value = try await body(world)
            await world.stop()
            return value
        } catch {
            await world.stop()
            throw error
        }
    }

    func stop() async { await station.stop() }

    /// The cloud's record of a device (nil while the cloud has never seen it online).
    func cloudDevice(_ id: String) async -> FakeDevice? {
        await station.cloud.snapshot().devices.first { $0.id == id }
    }

    /// Polls the cloud until the device is online (true) or `timeout` seconds passed (false).
    func waitUntilOnline(_ id: String, timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await cloudDevice(id)?.online == true { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return await cloudDevice(id)?.online == true
    }

    /// A fresh claim code of `username` (`POST /v1/device_claims` with the world's token, over HTTP): a device given
    /// it and the right Wi-Fi comes online claimed by that user.
    func newClaimCode() async throws -> String {
        guard let url = URL(string: cloudURL + "/v1/device_claims") else { throw StationWorldError("bad cloud URL") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let code = object["claim_code"] as? String
        else { throw StationWorldError("the fake cloud gave no claim code") }
        return code
    }

    /// The API requests the cloud answered so far (to count a station's requests per device).
    func recordedRequests() async -> [RecordedRequest] { await station.cloud.recordedRequests() }

    /// Sets the cloud's faults (429s, 5xx, lost events …) for the next requests.
    func setCloudFaults(_ faults: FakeCloudFaults) async { await station.cloud.setFaults(faults) }

    /// The simulated device behind device number `number` (1-based): what it was told, whether it still runs.
    func device(_ number: Int) -> SimulatedDevice? {
        let devices = station.simulatedDevices
        return devices.indices.contains(number - 1) ? devices[number - 1] : nil
    }
}

struct StationWorldError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
