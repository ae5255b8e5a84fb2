import Foundation
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleUSB
import ParticleSoftAP

/// Wi-Fi settings for provisioning, in the clear (never printed: `description` hides the password).
public struct WiFiSettings: Sendable, CustomStringConvertible {
    public var ssid: String
    /// Empty for an open network; nil when it is to be asked once the device is found (`Provisioner.passwordPrompt`).
    public var password: String?
    /// nil lets the device (serial) or its scan (SoftAP) decide.
    public var security: NetworkSecurity?

    public init(ssid: String, password: String?, security: NetworkSecurity? = nil) {
        self.ssid = ssid
        self.password = password
        self.security = security
    }

    public var description: String {
        "\(ssid) (\(password.map { $0.isEmpty ? "no password" : "password hidden" } ?? "password to ask"))"
    }
}

/// The local side of provisioning: the path to a device in listening mode (USB serial or its SoftAP).
public protocol DeviceLink: Sendable {
    /// "serial /dev/ttyACM0", "softap 192.168.0.1:5609".
    var name: String { get }
    /// Who the device on the other end is: its ID at least (provisioning needs it), and whatever else the link tells.
    /// What only the listening-mode console tells (MAC, Device OS version, serial number, ICCID/IMEI) is asked here:
    /// it cannot be asked again once the device left listening mode.
    func identify() async throws -> DeviceIdentity
    func setClaimCode(_ code: String) async throws
    func configureWiFi(_ settings: WiFiSettings) async throws
    /// Leaves listening mode so the device joins the network (serial `x`, SoftAP `connect-ap`).
    func connect() async throws
    /// Puts a device that left listening mode (it runs its application, or is silent) back into it, and checks
    /// that it answers. Throws when this link cannot (SoftAP, Device OS 6).
    func enterListeningMode() async throws
    /// Whether `enterListeningMode()` can work for this device (serial on Device OS 0.5–5.x).
    func canEnterListeningMode(_ device: DeviceIdentity) -> Bool
}

extension DeviceLink {
    public func enterListeningMode() async throws {
        throw UserError(.timedOut, "\(name) cannot put the device into listening mode: hold SETUP until the LED blinks dark blue")
    }

    public func canEnterListeningMode(_ device: DeviceIdentity) -> Bool { false }
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

    public func identify() async throws -> DeviceIdentity {
        // `m` and `v` only answer in listening mode: ask now, they are gone once the device leaves it.
        let (reply, mac, version) = try await withSession { session in
            (try await session.identify(), try? await session.mac(), try? await session.version())
        }
        var identity = reply.identity
        identity.mac = mac
        identity.systemVersion = version
        // The USB identity of the port tells the platform (and where it is plugged in); else the device's own system
        // information does.
        let attached = (try? await DeviceDiscovery.scan())?.first { ListeningModeFallback.isDevice($0, behind: port) }
        identity.usb = attached?.usb
        if let platform = attached?.platform, platform.id != nil {
            identity.platform = platform
            return identity
        }
        let info = try? await withSession { try await $0.inspect() }
        identity.platform = info?.identity.platform
        return identity
    }

    /// The serial trigger (28800 baud, Device OS 0.5–5.x) first; when the device does not come into listening mode
    /// that way (Device OS 6 has no serial trigger), the USB control request START_LISTENING to the same device
    /// (found by its port through libudev), so that nobody has to press SETUP. When both fail, the serial error.
    public func enterListeningMode() async throws {
        let port = self.port, timeout = self.timeout
        try await ListeningModeFallback.enter(
            serial: { _ = try await ListeningModeEntry.enter(port: port, timeout: timeout) },
            usb: { _ = try await ListeningModeFallback.enterOverUSB(port: port, timeout: timeout) })
    }

    public func canEnterListeningMode(_ device: DeviceIdentity) -> Bool {
        // Over USB control requests (any Device OS with them) when the device is known on the USB bus.
        if device.usb?.path != nil { return true }
        guard let version = device.systemVersion else { return false }
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let (major, minor) = (parts.first ?? 0, parts.dropFirst().first ?? 0)
        return major > 0 ? major < 6 : minor >= 5
    }

    public func setClaimCode(_ code: String) async throws {
        try await withSession { try await $0.setClaimCode(code) }
    }

    public func configureWiFi(_ settings: WiFiSettings) async throws {
        let serial = settings.security?.serial
        let password = settings.password ?? ""
        let credentials = WiFiCredentials(ssid: settings.ssid, security: serial?.security, cipher: serial?.cipher,
                                          password: password.isEmpty ? nil : password)
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

    public func identify() async throws -> DeviceIdentity {
        // Only Photons and P1s have a SoftAP setup; the device-id reply does not say which.
        try await client.deviceInfo().identity
    }

    public func setClaimCode(_ code: String) async throws {
        try await client.setClaimCode(code)
    }

    public func configureWiFi(_ settings: WiFiSettings) async throws {
        let key = try await client.publicKey()
        let security: SoftAPSecurity
        var channel = 0
        if let chosen = settings.security {
            guard let mapped = chosen.softAP else {
                throw ProvisioningPlanError(.unsupportedSecurity(chosen, link: "SoftAP"))
            }
            security = mapped
        } else {
            // Take security and channel from the device's own scan, as the mobile apps do.
            let network = try await client.findNetwork(ssid: settings.ssid)
            security = network.security
            channel = network.channel
        }
        let password = settings.password ?? ""
        let credentials: SoftAPCredentials = password.isEmpty ? .none : .password(password)
        try await client.configure(ssid: settings.ssid, security: security, channel: channel,
                                   credentials: credentials, publicKey: key)
    }

    public func connect() async throws {
        try await client.connect()
    }
}

/// Putting a device into listening mode by the first way that works: the serial trigger, then USB control requests.
/// `enter` is the pure ordering (tested with closures); `enterOverUSB` the USB way for a serial port (tested end to
/// end against a simulated Device OS 6 device under umockdev).
public enum ListeningModeFallback {
    /// Runs `serial`; when it fails (and the task is not cancelled), `usb`. When `usb` fails too, the serial error is
    /// thrown: it says what a person can do (hold SETUP).
    public static func enter(serial: () async throws -> Void, usb: () async throws -> Void) async throws {
        do {
            try await serial()
        } catch let serialError {
            if serialError is CancellationError || Task.isCancelled { throw serialError }
            do {
                try await usb()
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                throw serialError
            }
        }
    }

    /// START_LISTENING over USB to the device behind the serial `port` (the tty libudev pairs with a USB device; a
    /// symlink such as /dev/serial/by-id/… is followed), then `i` on the console until it answers: what it said.
    /// Throws when the port is no Particle USB device libudev knows, or the request or the console fails.
    public static func enterOverUSB(port: String, timeout: Double) async throws -> IdentifyReply {
        try await startListeningOverUSB(port: port, timeout: timeout)
        return try await ListeningModeEntry.waitForConsole(port: port, timeout: timeout)
    }

    /// START_LISTENING over USB to the device behind `port`, until GET_DEVICE_MODE says it listens.
    public static func startListeningOverUSB(port: String, timeout: Double) async throws {
        guard let device = try await DeviceDiscovery.scan().first(where: { isDevice($0, behind: port) }),
              device.usb?.path != nil else {
            throw UserError(.notFound, "\(port) is not a Particle USB device libudev knows; hold SETUP until the LED blinks dark blue")
        }
        let channel = try await USBControlChannel(device: device)
        do {
            try await ParticleUSBClient(channel: channel).enterListeningMode(withinMilliseconds: Int64(timeout * 2000))
            await channel.close()
        } catch {
            await channel.close()
            throw error
        }
    }

    /// Whether `device` (from discovery) is the one on `port`: its tty, or what a symlink such as
    /// /dev/serial/by-id/… points to.
    static func isDevice(_ device: DeviceIdentity, behind port: String) -> Bool {
        guard let tty = device.port else { return false }
        return tty == port || tty == URL(fileURLWithPath: port).resolvingSymlinksInPath().path
    }
}
