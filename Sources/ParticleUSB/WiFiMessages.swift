import struct Foundation.Data

/// Wi-Fi security as the control requests number it (`particle.ctrl.wifi.Security`).
public enum USBWiFiSecurity: UInt64, Sendable, CaseIterable {
    case none = 0, wep = 1, wpaPSK = 2, wpa2PSK = 3, wpaWPA2PSK = 4, wpa3PSK = 5, wpa2WPA3PSK = 6

    /// "none", "wep", "wpa", "wpa2", "wpa/wpa2", "wpa3", "wpa2/wpa3".
    public var name: String {
        switch self {
        case .none: "none"
        case .wep: "wep"
        case .wpaPSK: "wpa"
        case .wpa2PSK: "wpa2"
        case .wpaWPA2PSK: "wpa/wpa2"
        case .wpa3PSK: "wpa3"
        case .wpa2WPA3PSK: "wpa2/wpa3"
        }
    }

    /// The same value in the generated message's enum.
    var wire: Particle_Ctrl_Wifi_Security {
        switch self {
        case .none: .noSecurity
        case .wep: .wep
        case .wpaPSK: .wpaPsk
        case .wpa2PSK: .wpa2Psk
        case .wpaWPA2PSK: .wpaWpa2Psk
        case .wpa3PSK: .wpa3Psk
        case .wpa2WPA3PSK: .wpa2Wpa3Psk
        }
    }

    static func name(of wire: Int) -> String {
        UInt64(exactly: wire).flatMap(USBWiFiSecurity.init(rawValue:))?.name ?? "unknown (\(wire))"
    }
}

/// A Wi-Fi network as scan (506), known networks (502) or the current network (505) report it.
public struct USBWiFiNetwork: Sendable, Equatable {
    public var ssid: String
    public var security: String?
    /// "aa:bb:cc:dd:ee:ff" when reported.
    public var bssid: String?
    public var channel: Int32?
    public var rssi: Int32?

    public init(ssid: String, security: String? = nil, bssid: String? = nil, channel: Int32? = nil, rssi: Int32? = nil) {
        self.ssid = ssid
        self.security = security
        self.bssid = bssid
        self.channel = channel
        self.rssi = rssi
    }

    static func bssid(_ bytes: [UInt8]?) -> String? {
        guard let bytes, !bytes.isEmpty else { return nil }
        return bytes.map(hexByte).joined(separator: ":")
    }

    /// The networks of a ScanNetworksReply (506).
    public static func scanResults(from reply: [UInt8]) throws(USBError) -> [USBWiFiNetwork] {
        try Particle_Ctrl_Wifi_ScanNetworksReply(reply: reply, of: RequestType.wifiScanNetworks).networks.map { entry in
            USBWiFiNetwork(ssid: text(entry.ssid), security: USBWiFiSecurity.name(of: entry.security.rawValue),
                           bssid: bssid(Array(entry.bssid)), channel: entry.channel, rssi: entry.rssi)
        }
    }

    /// The networks of a GetKnownNetworksReply (502).
    public static func knownNetworks(from reply: [UInt8]) throws(USBError) -> [USBWiFiNetwork] {
        try Particle_Ctrl_Wifi_GetKnownNetworksReply(reply: reply, of: RequestType.wifiGetKnownNetworks).networks.map { entry in
            USBWiFiNetwork(ssid: text(entry.ssid), security: USBWiFiSecurity.name(of: entry.security.rawValue))
        }
    }

    /// The network of a GetCurrentNetworkReply (505).
    public static func current(from reply: [UInt8]) throws(USBError) -> USBWiFiNetwork {
        let network = try Particle_Ctrl_Wifi_GetCurrentNetworkReply(reply: reply, of: RequestType.wifiGetCurrentNetwork)
        return USBWiFiNetwork(ssid: text(network.ssid), bssid: bssid(Array(network.bssid)), channel: network.channel,
                              rssi: network.rssi)
    }

    /// An SSID is octets, not necessarily UTF-8 (the replies declare it `bytes`): what is not UTF-8 shows as U+FFFD.
    static func text(_ ssid: Data) -> String { String(decoding: ssid, as: UTF8.self) }
}

/// The payload of JoinNewNetworkRequest (500) and SetNetworkCredentialsRequest (507): {1 ssid, 3 security,
/// 4 credentials {1 type PASSWORD, 2 password}, 6 hidden}. Without a password: the SSID and security only.
public struct USBWiFiCredentials: Sendable, Equatable {
    public var ssid: String
    public var security: USBWiFiSecurity
    public var password: String?
    public var hidden: Bool

    public init(ssid: String, security: USBWiFiSecurity, password: String?, hidden: Bool = false) {
        self.ssid = ssid
        self.security = security
        self.password = password
        self.hidden = hidden
    }

    /// The payload, the same for 500 and 507 (the two messages have the same fields).
    public var encoded: [UInt8] {
        var message = Particle_Ctrl_Wifi_JoinNewNetworkRequest()
        message.ssid = ssid
        message.security = security.wire
        if let password, !password.isEmpty {
            message.credentials.type = .password
            message.credentials.password = password
        }
        message.hidden = hidden
        return message.payload
    }
}
