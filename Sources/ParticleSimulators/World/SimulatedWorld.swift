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
        /// How many serial devices, each on its own pty with its own ID, serial number and MAC (the first keeps
        /// `serialDeviceID`).
        public var serialDevices = 1
        public var softAPDeviceID = "3a001d000c47343432313031"
        public var networks = SimulatedWiFiNetwork.defaults
        /// How long a device takes to "join" the network and reach the cloud.
        public var joinDelay: Double = 0.3
        public init() {}

        /// The serial devices' identities: distinct IDs, serial numbers and MACs, stable from run to run.
        public var serialIdentities: [SerialIdentity] {
            (0..<max(1, serialDevices)).map { index in
                let id = index == 0 ? serialDeviceID
                    : String(serialDeviceID.prefix(18)) + String(format: "%06x", 0xD00000 + index)
                return SerialIdentity(
                    deviceID: id, serialNumber: "SIM\(serialPlatform.name.uppercased())" + String(format: "%05d", index + 1),
                    mac: String(format: "6c:0b:84:5a:%02x:%02x", (index >> 8) & 0xff, index & 0xff))
            }
        }
    }

    /// Who one simulated serial device is.
    public struct SerialIdentity: Sendable, Equatable {
        public var deviceID: String
        public var serialNumber: String
        public var mac: String
    }

    /// One serial device as `sim all` prints it.
    public struct SerialEndpoint: Sendable, Codable, Equatable {
        public var port: String
        public var deviceID: String
        public var serialNumber: String
        public var platform: String

        enum CodingKeys: String, CodingKey {
            case port, platform
            case deviceID = "device_id"
            case serialNumber = "serial_number"
        }
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
        /// The password of `ssid` (a simulated network: printed so a rehearsal can use it).
        public var wifiPassword: String?
        /// Every serial device (the first is also `serialPort`/`serialDeviceID`).
        public var serialDevices: [SerialEndpoint]

        enum CodingKeys: String, CodingKey {
            case cloudURL = "cloud_url"
            case serialPort = "serial_port"
            case serialDeviceID = "serial_device_id"
            case serialPlatform = "serial_platform"
            case softAPTCP = "softap_tcp"
            case softAPHTTP = "softap_http"
            case softAPDeviceID = "softap_device_id"
            case ssid
            case wifiPassword = "wifi_password"
            case serialDevices = "serial_devices"
        }
    }

    /// Something that happened in the world, for a person watching (never holds a password).
    public typealias Log = @Sendable (String) -> Void

    public let configuration: Configuration
    public let cloud: FakeCloud
    private var server: FakeCloudServer.Running?
    private var devices: [SimulatedDevice] = []
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
        let platform = configuration.serialPlatform
        for identity in configuration.serialIdentities {
            devices.append(try SimulatedDevice(SimulatedDeviceConfiguration(
                platform: platform, deviceID: identity.deviceID, mac: identity.mac, serialNumber: identity.serialNumber,
                visibleNetworks: [VisibleNetwork(ssid: home.ssid, security: .wpa2, cipher: .aes)])))
        }

        var softAPConfiguration = SoftAPSimulator.Configuration()
        softAPConfiguration.tcp = ("127.0.0.1", 0)
        softAPConfiguration.http = ("127.0.0.1", 0)
        softAPConfiguration.deviceID = configuration.softAPDeviceID
        softAPConfiguration.networks = configuration.networks
        let softAP = try SoftAPSimulator(configuration: softAPConfiguration)
        let addresses = try softAP.start()
        self.softAP = softAP

        for device in devices {
            tasks.append(Task { [cloud, configuration] in
                await Self.followSerial(device, cloud: cloud, configuration: configuration, log: log)
            })
        }
        tasks.append(Task { [cloud, configuration] in
            await Self.followSoftAP(softAP, cloud: cloud, configuration: configuration, log: log)
        })
        let serial = devices.map {
            SerialEndpoint(port: $0.portPath, deviceID: $0.configuration.deviceID,
                           serialNumber: $0.configuration.serialNumber ?? "", platform: platform.name)
        }
        return Endpoints(cloudURL: server.url, serialPort: serial[0].port,
                         serialDeviceID: serial[0].deviceID, serialPlatform: platform.name,
                         softAPTCP: addresses.tcp.map { "\($0.host):\($0.port)" } ?? "",
                         softAPHTTP: addresses.http.map { "\($0.host):\($0.port)" } ?? "",
                         softAPDeviceID: configuration.softAPDeviceID, ssid: home.ssid, wifiPassword: home.password,
                         serialDevices: serial)
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        for device in devices { device.stop() }
        softAP?.stop()
        await server?.stop()
    }

    /// Serial: claim code and Wi-Fi credentials, then leaving listening mode, make the device join.
    /// With `wifiWorks` false the device never joins, whatever it was given (a station's wrong-Wi-Fi fault).
    static func followSerial(_ device: SimulatedDevice, cloud: FakeCloud, configuration: Configuration,
                             wifiWorks: Bool = true, log: @escaping Log) async {
        var claimCode: String?
        var credentials: WiFiCredentials?
        let id = device.configuration.deviceID
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
                guard wifiWorks else {
                    log("serial \(id): cannot join \(wifi.ssid) (simulated wrong Wi-Fi); stays offline")
                    continue
                }
                guard accepts(configuration.networks, ssid: wifi.ssid, password: wifi.password) else {
                    log("serial \(id): cannot join \(wifi.ssid) (unknown network or wrong password); stays offline")
                    continue
                }
                try? await Task.sleep(nanoseconds: UInt64(configuration.joinDelay * 1_000_000_000))
                _ = await cloud.deviceCameOnline(id: id, platformID: device.configuration.platform.id, claimCode: claimCode)
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
