import Foundation
import ParticleSerial
import ParticleSoftAP

/// The simulated world of `particlectl sim all`: a fake cloud, a device on a pseudo-terminal and a Photon's SoftAP,
/// sharing one story. A device given a claim code and the right Wi-Fi credentials "joins" the network and comes
/// online in the fake cloud, claimed by the code's owner; wrong credentials leave it offline.
public final class SimulatedWorld: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var cloudHost = "127.0.0.1"
        public var cloudPort = 0
        public var serialPlatform: SimulatedPlatform = .argon
        public var serialDeviceID = "e00fce68a1b2c3d4e5f60718"
        public var softAPDeviceID = "3a001d000c47343432313031"
        public var networks = SimulatedWiFiNetwork.defaults
        /// How long a device takes to "join" the network and reach the cloud.
        public var joinDelay: Double = 0.3
        public init() {}
    }

    /// Where everything listens, for printing and for tests.
    public struct Endpoints: Sendable, Codable, Equatable {
        public var cloudURL: String
        public var serialPort: String
        public var serialDeviceID: String
        public var serialPlatform: String
        public var softAPTCP: String
        public var softAPHTTP: String
        public var softAPDeviceID: String
        public var ssid: String

        enum CodingKeys: String, CodingKey {
            case cloudURL = "cloud_url"
            case serialPort = "serial_port"
            case serialDeviceID = "serial_device_id"
            case serialPlatform = "serial_platform"
            case softAPTCP = "softap_tcp"
            case softAPHTTP = "softap_http"
            case softAPDeviceID = "softap_device_id"
            case ssid
        }
    }

    /// Something that happened in the world, for a person watching (never holds a password).
    public typealias Log = @Sendable (String) -> Void

    public let configuration: Configuration
    public let cloud: FakeCloud
    private var server: FakeCloudServer.Running?
    private var device: SimulatedDevice?
    private var softAP: SoftAPSimulator?
    private var tasks: [Task<Void, Never>] = []

    public init(configuration: Configuration = Configuration(), cloudData: FakeCloudData) {
        self.configuration = configuration
        cloud = FakeCloud(data: cloudData)
    }

    /// Starts the three parts and wires their events to the cloud.
    public func start(log: @escaping Log) async throws -> Endpoints {
        let server = try await FakeCloudServer.start(cloud, host: configuration.cloudHost, port: configuration.cloudPort)
        self.server = server

        let home = configuration.networks.first { $0.password != nil } ?? configuration.networks[0]
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(
            platform: configuration.serialPlatform, deviceID: configuration.serialDeviceID,
            visibleNetworks: [VisibleNetwork(ssid: home.ssid, security: .wpa2, cipher: .aes)]))
        self.device = device

        var softAPConfiguration = SoftAPSimulator.Configuration()
        softAPConfiguration.tcp = ("127.0.0.1", 0)
        softAPConfiguration.http = ("127.0.0.1", 0)
        softAPConfiguration.deviceID = configuration.softAPDeviceID
        softAPConfiguration.networks = configuration.networks
        let softAP = try SoftAPSimulator(configuration: softAPConfiguration)
        let addresses = try softAP.start()
        self.softAP = softAP

        tasks.append(Task { [cloud, configuration] in
            await Self.followSerial(device, cloud: cloud, configuration: configuration, log: log)
        })
        tasks.append(Task { [cloud, configuration] in
            await Self.followSoftAP(softAP, cloud: cloud, configuration: configuration, log: log)
        })
        return Endpoints(cloudURL: server.url, serialPort: device.portPath,
                         serialDeviceID: configuration.serialDeviceID, serialPlatform: configuration.serialPlatform.name,
                         softAPTCP: addresses.tcp.map { "\($0.host):\($0.port)" } ?? "",
                         softAPHTTP: addresses.http.map { "\($0.host):\($0.port)" } ?? "",
                         softAPDeviceID: configuration.softAPDeviceID, ssid: home.ssid)
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        device?.stop()
        softAP?.stop()
        await server?.stop()
    }

    /// Serial: claim code and Wi-Fi credentials, then leaving listening mode, make the device join.
    static func followSerial(_ device: SimulatedDevice, cloud: FakeCloud, configuration: Configuration,
                             log: @escaping Log) async {
        var claimCode: String?
        var credentials: WiFiCredentials?
        let id = configuration.serialDeviceID
        for await event in device.events {
            switch event {
            case .claimCodeSet(let code):
                claimCode = code
                log("serial \(id): claim code set")
            case .wifiCredentialsSaved(let saved):
                credentials = saved
                log("serial \(id): Wi-Fi credentials saved for \(saved.ssid)")
            case .leftListeningMode:
                guard let wifi = credentials else {
                    log("serial \(id): left listening mode without Wi-Fi credentials; stays offline")
                    continue
                }
                guard accepts(configuration.networks, ssid: wifi.ssid, password: wifi.password) else {
                    log("serial \(id): cannot join \(wifi.ssid) (unknown network or wrong password); stays offline")
                    continue
                }
                try? await Task.sleep(nanoseconds: UInt64(configuration.joinDelay * 1_000_000_000))
                _ = await cloud.deviceCameOnline(id: id, platformID: configuration.serialPlatform.id, claimCode: claimCode)
                log("serial \(id): joined \(wifi.ssid) and is online in the cloud")
            case .enteredListeningMode:
                log("serial \(id): listening mode")
            case .wifiCredentialsRefused(let ssid):
                log("serial \(id): refused to save Wi-Fi credentials for \(ssid)")
            case .enteredDFU:
                log("serial \(id): DFU mode")
            case .hungUp:
                log("serial \(id): hung up")
            }
        }
    }

    /// SoftAP: the simulator itself checks the credentials on `connect-ap` and says whether the device joined.
    static func followSoftAP(_ softAP: SoftAPSimulator, cloud: FakeCloud, configuration: Configuration,
                             log: @escaping Log) async {
        let id = configuration.softAPDeviceID
        for await event in softAP.events {
            switch event {
            case .claimCodeSet:
                log("softap \(id): claim code set")
            case .credentialsStored(let credentials):
                log("softap \(id): Wi-Fi credentials stored for \(credentials.ssid)")
            case .joined(let ssid, let claimCode):
                try? await Task.sleep(nanoseconds: UInt64(configuration.joinDelay * 1_000_000_000))
                _ = await cloud.deviceCameOnline(id: id, platformID: 6, claimCode: claimCode)
                log("softap \(id): joined \(ssid) and is online in the cloud")
            case .joinFailed(let ssid):
                log("softap \(id): cannot join \(ssid ?? "the network") (wrong credentials); its AP comes back")
            default:
                break
            }
        }
    }

    static func accepts(_ networks: [SimulatedWiFiNetwork], ssid: String, password: String?) -> Bool {
        guard let network = networks.first(where: { $0.ssid == ssid }) else { return false }
        guard let expected = network.password else { return true }
        return expected == password
    }
}
