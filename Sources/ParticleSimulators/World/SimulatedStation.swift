import Foundation

/// The simulated world a factory station is rehearsed against (`particlectl sim station`): N devices in listening
/// mode on pseudo-terminals, as on a USB hub, and the fake cloud. A device given a claim code and the right Wi-Fi
/// comes online claimed by the code's owner, as in `SimulatedWorld`; each device can be given `StationFault`s.
public final class SimulatedStation: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var cloudHost = "127.0.0.1"
        public var cloudPort = 0
        public var platform: SimulatedPlatform = .argon
        /// 1 to 64.
        public var devices = 1
        /// The faults of each device, by 0-based index.
        public var faults: [Int: Set<StationFault>] = [:]
        public var networks = SimulatedWiFiNetwork.defaults
        /// How long a device takes to "join" the network and reach the cloud.
        public var joinDelay: Double = 0.3
        /// When set, a device with the `unplug` fault is plugged back in this many seconds after it disappeared:
        /// the same device (ID, serial number, MAC) on a new pty, in listening mode, without the `unplug` fault.
        public var replugDelay: Double?
        /// The seeded user the printed token belongs to (claim codes made with it claim devices to this user).
        public var username = "dev@example.com"
        public init() {}

        /// The world's settings for identities and joining (the same IDs, serial numbers and MACs as `sim all`).
        var world: SimulatedWorld.Configuration {
            var world = SimulatedWorld.Configuration()
            world.cloudHost = cloudHost
            world.cloudPort = cloudPort
            world.serialPlatform = platform
            world.serialDevices = devices
            world.networks = networks
            world.joinDelay = joinDelay
            return world
        }
    }

    /// One device as `sim station` prints it.
    public struct Device: Sendable, Codable, Equatable {
        public var port: String
        public var deviceID: String
        public var serialNumber: String
        public var mac: String
        public var platform: String
        /// Names of its faults (`StationFault` raw values), in a fixed order; empty for a healthy device.
        public var faults: [String]

        enum CodingKeys: String, CodingKey {
            case port, mac, platform, faults
            case deviceID = "device_id"
            case serialNumber = "serial_number"
        }
    }

    /// What `sim station --json` prints: everything needed to run `station run` against the world.
    public struct Description: Sendable, Codable, Equatable {
        public var cloudURL: String
        /// A non-expiring simulator token for `username` (fine to print: it only opens this fake cloud).
        public var token: String
        public var username: String
        public var ssid: String
        /// The simulated network's password (not a secret: printed so a rehearsal can use it).
        public var password: String
        public var devices: [Device]

        enum CodingKeys: String, CodingKey {
            case token, username, ssid, password, devices
            case cloudURL = "cloud_url"
        }
    }

    /// Something that happened, for a person watching (never holds a password or token).
    public typealias Log = @Sendable (String) -> Void

    public let configuration: Configuration
    public let cloud: FakeCloud
    private var server: FakeCloudServer.Running?
    private let lock = NSLock()
    /// The devices now plugged in, by index (a replugged device replaces the one that disappeared).
    private var devices: [SimulatedDevice] = []
    private var tasks: [Task<Void, Never>] = []

    public init(configuration: Configuration = Configuration(), cloudData: FakeCloudData) {
        self.configuration = configuration
        cloud = FakeCloud(data: cloudData)
    }

    /// The simulated devices, in order (for in-process tests that want to look at what a device was told).
    public var simulatedDevices: [SimulatedDevice] { lock.withLock { devices } }

    /// Each device's port now (a replugged device has a new one), in device order.
    public var currentPorts: [String] { simulatedDevices.map(\.portPath) }

    /// Starts the cloud and the devices, wires each device's events to the cloud, and says where everything is.
    public func start(log: @escaping Log) async throws -> Description {
        let world = configuration.world
        guard let home = world.networks.first(where: { $0.password != nil }), let password = home.password else {
            throw SimulatedStationError(message: "the simulated networks include none with a password")
        }
        guard let token = await cloud.issueSimulatorToken(username: configuration.username) else {
            throw SimulatedStationError(message: "the fake cloud has no user \(configuration.username)")
        }
        let server = try await FakeCloudServer.start(cloud, host: configuration.cloudHost, port: configuration.cloudPort)
        self.server = server

        var described: [Device] = []
        for (index, identity) in world.serialIdentities.enumerated() {
            let faults = configuration.faults[index] ?? []
            let deviceConfiguration = SimulatedDeviceConfiguration(
                platform: configuration.platform, deviceID: identity.deviceID, mac: identity.mac,
                serialNumber: identity.serialNumber,
                visibleNetworks: [VisibleNetwork(ssid: home.ssid, security: .wpa2, cipher: .aes)],
                faults: Set(faults.compactMap(\.deviceFault)))
            let device = try SimulatedDevice(deviceConfiguration)
            lock.withLock { devices.append(device) }
            described.append(Device(port: device.portPath, deviceID: identity.deviceID,
                                    serialNumber: identity.serialNumber, mac: identity.mac,
                                    platform: configuration.platform.name, faults: faults.sorted().map(\.rawValue)))
            let wifiWorks = !faults.contains(.wrongWiFi)
            let replugDelay = faults.contains(.unplug) ? configuration.replugDelay : nil
            tasks.append(Task { [cloud] in
                var current = device
                while true {
                    await SimulatedWorld.followSerial(current, cloud: cloud, configuration: world,
                                                      wifiWorks: wifiWorks, log: log)
                    // The device's thread ended: stopped (the task is cancelled first) or unplugged.
                    guard let replugDelay, !Task.isCancelled else { return }
                    try? await Task.sleep(nanoseconds: UInt64(replugDelay * 1_000_000_000))
                    var again = deviceConfiguration
                    again.faults.remove(.unplugInWiFi)
                    guard !Task.isCancelled, let replugged = try? SimulatedDevice(again) else { return }
                    current = replugged
                    self.replace(index, with: replugged)
                    log("serial \(identity.deviceID): plugged back in on \(replugged.portPath) (listening mode)")
                }
            })
        }
        return Description(cloudURL: server.url, token: token, username: configuration.username, ssid: home.ssid,
                           password: password, devices: described)
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for device in simulatedDevices { device.stop() }
        await server?.stop()
    }

    private func replace(_ index: Int, with device: SimulatedDevice) {
        lock.withLock { if devices.indices.contains(index) { devices[index] = device } }
    }
}

/// The simulated station could not start.
public struct SimulatedStationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
