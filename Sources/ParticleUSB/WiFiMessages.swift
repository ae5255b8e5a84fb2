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

    static func name(of wire: UInt64) -> String { USBWiFiSecurity(rawValue: wire)?.name ?? "unknown (\(wire))" }
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

    /// ScanNetworksReply: field 1, repeated {1 ssid, 2 bssid, 3 security, 4 channel, 5 rssi}.
    public static func scanResults(from reply: [UInt8]) throws(USBError) -> [USBWiFiNetwork] {
        try ProtobufFields(decoding: reply).messages(1).map { entry in
            USBWiFiNetwork(ssid: entry.string(1) ?? "", security: USBWiFiSecurity.name(of: entry.uint(3)),
                           bssid: bssid(entry.bytes[2]), channel: Int32(truncatingIfNeeded: entry.uint(4)),
                           rssi: Int32(truncatingIfNeeded: entry.uint(5)))
        }
    }

    /// GetKnownNetworksReply: field 1, repeated {1 ssid, 2 security, 3 credentials_type}.
    public static func knownNetworks(from reply: [UInt8]) throws(USBError) -> [USBWiFiNetwork] {
        try ProtobufFields(decoding: reply).messages(1).map { entry in
            USBWiFiNetwork(ssid: entry.string(1) ?? "", security: USBWiFiSecurity.name(of: entry.uint(2)))
        }
    }

    /// GetCurrentNetworkReply: {1 ssid, 2 bssid, 3 channel, 4 rssi}.
    public static func current(from reply: [UInt8]) throws(USBError) -> USBWiFiNetwork {
        let fields = try ProtobufFields(decoding: reply)
        return USBWiFiNetwork(ssid: fields.string(1) ?? "", bssid: bssid(fields.bytes[2]),
                              channel: Int32(truncatingIfNeeded: fields.uint(3)), rssi: Int32(truncatingIfNeeded: fields.uint(4)))
    }
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

    public var encoded: [UInt8] {
        var bytes = ProtobufFields.encode(string: ssid, field: 1)
        bytes += ProtobufFields.encode(uint: security.rawValue, field: 3)
        if let password, !password.isEmpty {
            let credentials = ProtobufFields.encode(uint: 1, field: 1) + ProtobufFields.encode(string: password, field: 2)
            bytes += ProtobufFields.encodeVarint(UInt64(4 << 3 | 2)) + ProtobufFields.encodeVarint(UInt64(credentials.count))
                + credentials
        }
        if hidden { bytes += ProtobufFields.encode(uint: 1, field: 6) }
        return bytes
    }
}
