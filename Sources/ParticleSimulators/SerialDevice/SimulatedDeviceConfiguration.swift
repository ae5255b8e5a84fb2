import ParticleSerial

/// A platform the simulated device can be, with what its listening-mode console does differently.
public struct SimulatedPlatform: Sendable, Hashable {
    public var name: String
    public var id: Int
    /// Has a `w` (Wi-Fi) console.
    public var hasWiFiConsole: Bool
    /// The security prompt offers WPA Enterprise (Photon/P1).
    public var offersEnterprise: Bool
    /// Cellular: `i` prints `Device ID:` plus IMEI and ICCID.
    public var isCellular: Bool
    public var defaultVersion: String

    public static let photon = SimulatedPlatform(name: "photon", id: 6, hasWiFiConsole: true, offersEnterprise: true, isCellular: false, defaultVersion: "2.3.1")
    public static let p1 = SimulatedPlatform(name: "p1", id: 8, hasWiFiConsole: true, offersEnterprise: true, isCellular: false, defaultVersion: "2.3.1")
    public static let electron = SimulatedPlatform(name: "electron", id: 10, hasWiFiConsole: false, offersEnterprise: false, isCellular: true, defaultVersion: "2.3.1")
    public static let argon = SimulatedPlatform(name: "argon", id: 12, hasWiFiConsole: true, offersEnterprise: false, isCellular: false, defaultVersion: "5.9.0")
    public static let boron = SimulatedPlatform(name: "boron", id: 13, hasWiFiConsole: false, offersEnterprise: false, isCellular: true, defaultVersion: "5.9.0")
    public static let p2 = SimulatedPlatform(name: "p2", id: 32, hasWiFiConsole: true, offersEnterprise: false, isCellular: false, defaultVersion: "5.9.0")

    public static let all: [SimulatedPlatform] = [.photon, .p1, .electron, .argon, .boron, .p2]

    public static func named(_ name: String) -> SimulatedPlatform? { all.first { $0.name == name.lowercased() } }
}

/// A network the simulated device "sees" in its scan after `SSID:`: it then skips the security and cipher prompts.
public struct VisibleNetwork: Sendable, Hashable {
    public var ssid: String
    public var security: WiFiSecurity
    public var cipher: WiFiCipher

    public init(ssid: String, security: WiFiSecurity, cipher: WiFiCipher) {
        self.ssid = ssid
        self.security = security
        self.cipher = cipher
    }

    /// Parses `NAME:SECURITY:CIPHER`, e.g. `Bench:wpa2:aes` (the name may itself contain colons).
    public init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3,
              let security = WiFiSecurity(rawValue: String(parts[parts.count - 2]).lowercased()),
              let cipher = WiFiCipher(rawValue: String(parts[parts.count - 1]).lowercased())
        else { return nil }
        let name = parts.dropLast(2).joined(separator: ":")
        guard !name.isEmpty else { return nil }
        self.init(ssid: name, security: security, cipher: cipher)
    }
}

/// Misbehaviour to inject, so that every error path of a client can be exercised.
public enum SimulatedFault: String, Sendable, CaseIterable, Hashable {
    /// Reads everything, answers nothing.
    case silent
    /// Answers every command with random bytes that are no reply.
    case garbage
    /// Sends one byte every 10 ms.
    case slow
    /// Sends replies in random pieces with short pauses between them.
    case split
    /// Prints log lines before replies and prompts (Device OS before 1.4 did).
    case strayLogs = "stray-logs"
    /// Hangs up (the port disappears) in the middle of the first reply or dialogue.
    case hangUp = "hang-up"
    /// Not in listening mode: an application owns the port and prints its own output.
    case appRunning = "app-running"
    /// `w` ends with "Derp. Sorry, we couldn't save the credentials."
    case saveFailure = "save-failure"
    /// Answers `w` late: its `SSID: ` prompt comes 1.5 s after the command (bytes sent meanwhile wait in its
    /// buffer and are then typed into that prompt, as on a real device).
    case slowWiFi = "slow-wifi"
    /// Unplugged in the middle of the Wi-Fi dialogue: once the host has typed the SSID after `w`, the port
    /// disappears (the host's next read fails), as when a cable is pulled during provisioning.
    case unplugInWiFi = "unplug-in-wifi"
    /// A busy device: every reply and prompt starts 0.4 s late, then comes at full speed (slow, but well within
    /// the usual 5 s reply timeout).
    case lag
}

public struct SimulatedDeviceConfiguration: Sendable {
    public var platform: SimulatedPlatform
    /// 24 lower-case hex digits.
    public var deviceID: String
    public var mac: String
    public var osVersion: String
    /// Printed by `i` as `Serial Number:` when set (devices with a provisioned serial).
    public var serialNumber: String?
    public var imei: String
    public var iccid: String
    public var claimed: Bool
    public var visibleNetworks: [VisibleNetwork]
    public var faults: Set<SimulatedFault>
    /// How long the scan after `SSID:` takes.
    public var scanMilliseconds: Int
    /// A named pipe (created when missing) on which the device's USB side says `listen` / `stop-listening`
    /// (`ConsoleControlCommand`): the way into listening mode of a Device OS 6 device, which ignores 28800 baud.
    public var controlPipe: String?

    public init(platform: SimulatedPlatform = .photon, deviceID: String = "0123456789abcdef01234567",
                mac: String = "6c:0b:84:12:34:56", osVersion: String? = nil, serialNumber: String? = nil,
                imei: String = "352753090000000", iccid: String = "89014103000000000000", claimed: Bool = false,
                visibleNetworks: [VisibleNetwork] = [], faults: Set<SimulatedFault> = [], scanMilliseconds: Int = 50,
                controlPipe: String? = nil) {
        self.platform = platform
        self.deviceID = deviceID.lowercased()
        self.mac = mac
        self.osVersion = osVersion ?? platform.defaultVersion
        self.serialNumber = serialNumber
        self.imei = imei
        self.iccid = iccid
        self.claimed = claimed
        self.visibleNetworks = visibleNetworks
        self.faults = faults
        self.scanMilliseconds = scanMilliseconds
        self.controlPipe = controlPipe
    }

    /// Device OS 0.5–5.x enter listening mode on the 28800-baud signal; 6.x does not.
    var acceptsListenSignal: Bool {
        guard let major = Int(osVersion.prefix { $0.isNumber }) else { return false }
        if major == 0 {
            let minor = Int(osVersion.split(separator: ".").dropFirst().first ?? "") ?? 0
            return minor >= 5
        }
        return major < 6
    }
}

/// What the simulated device was told, as it happens: for tests and for a fake cloud that makes the device "come
/// online" once it has its claim code and Wi-Fi credentials.
public enum SimulatedDeviceEvent: Sendable, Equatable {
    case enteredListeningMode
    /// `x`, or after saving Wi-Fi credentials (the device goes off to connect).
    case leftListeningMode
    case claimCodeSet(String)
    /// Holds the password: for in-process consumers only; `particlectl sim device` never prints it.
    case wifiCredentialsSaved(WiFiCredentials)
    /// The `w` dialogue ended with "Derp." (nothing stored); carries the SSID it was given.
    case wifiCredentialsRefused(ssid: String)
    case enteredDFU
    case hungUp
}
