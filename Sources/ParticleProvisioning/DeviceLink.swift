import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleSoftAP

/// Wi-Fi settings for provisioning, in the clear (never printed: `description` hides the password).
public struct WiFiSettings: Sendable, CustomStringConvertible {
    public var ssid: String
    /// Empty for an open network.
    public var password: String
    /// A security name (`wpa2`, `open` …) or nil to let the device / the scan decide.
    public var security: String?

    public init(ssid: String, password: String, security: String? = nil) {
        self.ssid = ssid
        self.password = password
        self.security = security
    }

    public var description: String { "\(ssid) (\(password.isEmpty ? "no password" : "password hidden"))" }
}

/// What a device said about itself when asked.
public struct DeviceSummary: Sendable, Equatable {
    public var id: String
    public var platform: String?
    public var platformID: Int?
}

/// The local side of provisioning: the path to a device in listening mode (USB serial or its SoftAP).
public protocol DeviceLink: Sendable {
    /// "serial /dev/ttyACM0", "softap 192.168.0.1:5609".
    var name: String { get }
    func identify() async throws -> DeviceSummary
    func setClaimCode(_ code: String) async throws
    func configureWiFi(_ settings: WiFiSettings) async throws
    /// Leaves listening mode so the device joins the network (serial `x`, SoftAP `connect-ap`).
    func connect() async throws
}

/// Listening mode over USB serial.
public struct SerialLink: DeviceLink {
    public let port: String
    public let timeout: Double

    public init(port: String, timeout: Double = 5) {
        self.port = port
        self.timeout = timeout
    }

    public var name: String { "serial \(port)" }

    /// Opens the port for one exchange and closes it again, so that no descriptor outlives a step. The exchange runs
    /// on the session's own I/O thread, never on a cooperative thread.
    private func withSession<T: Sendable>(_ body: (ListeningModeSession) async throws -> T) async throws -> T {
        try await ListeningModeSession.with(path: port, timeout: timeout, body)
    }

    public func identify() async throws -> DeviceSummary {
        let identity = try await withSession { try await $0.identify() }
        // The USB identity of the port tells the platform; else the device's own system information does.
        if let usb = (try? await DeviceDiscovery.scan())?.first(where: { $0.port == port }), usb.platformID != nil {
            return DeviceSummary(id: identity.deviceID, platform: usb.platform, platformID: usb.platformID)
        }
        let platformID = try? await withSession { try await $0.inspect().platformID }
        let platform = platformID.flatMap(Platform.withID)
        return DeviceSummary(id: identity.deviceID, platform: platform?.name, platformID: platformID)
    }

    public func setClaimCode(_ code: String) async throws {
        try await withSession { try await $0.setClaimCode(code) }
    }

    public func configureWiFi(_ settings: WiFiSettings) async throws {
        var security: WiFiSecurity?
        if let name = settings.security {
            guard let parsed = WiFiSecurity(rawValue: name == "open" ? "none" : name) else {
                throw UserError(.usage, "unknown Wi-Fi security '\(name)' (none, wep, wpa, wpa2, wpa3)")
            }
            security = parsed
        }
        let credentials = WiFiCredentials(ssid: settings.ssid, security: security,
                                          password: settings.password.isEmpty ? nil : settings.password)
        try await withSession { try await $0.configureWiFi(credentials) }
    }

    public func connect() async throws {
        try await withSession { try await $0.exitListeningMode() }
    }
}

/// A Photon/P1's SoftAP (HTTP or TCP 5609).
public struct SoftAPLink: DeviceLink {
    public let client: SoftAPClient

    public init(client: SoftAPClient) {
        self.client = client
    }

    public var name: String { "softap \(client.address)" }

    public func identify() async throws -> DeviceSummary {
        let id = try await client.deviceID()
        // Only Photons and P1s have a SoftAP setup; the device-id reply does not say which.
        return DeviceSummary(id: id, platform: nil, platformID: nil)
    }

    public func setClaimCode(_ code: String) async throws {
        try await client.setClaimCode(code)
    }

    public func configureWiFi(_ settings: WiFiSettings) async throws {
        let key = try await client.publicKey()
        let security: SoftAPSecurity
        var channel = 0
        if let name = settings.security {
            guard let parsed = SoftAPSecurity(name: name) else {
                throw UserError(.usage, "unknown Wi-Fi security '\(name)'")
            }
            security = parsed
        } else {
            // Take security and channel from the device's own scan, as the mobile apps do.
            let networks = try await client.scan()
            guard let network = networks.filter({ $0.ssid == settings.ssid }).max(by: { $0.rssi < $1.rssi }) else {
                throw UserError(.notFound,
                    "the device does not see the network '\(settings.ssid)'; check the name or pass --security")
            }
            security = network.security
            channel = network.channel
        }
        let credentials: SoftAPCredentials = settings.password.isEmpty ? .none : .password(settings.password)
        try await client.configure(ssid: settings.ssid, security: security, channel: channel,
                                   credentials: credentials, publicKey: key)
    }

    public func connect() async throws {
        try await client.connect()
    }
}
