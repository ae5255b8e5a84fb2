import ParticleCore
/// Typed SoftAP replies, decoded from the JSON the device sends. Pure: no I/O.

/// `device-id`: the device ID (the device sends upper-case; a `DeviceID` is lower-case) and whether it is claimed
/// (`c` is a string). A wire reply; the rest of the code takes its `identity`.
public struct SoftAPDeviceInfo: Sendable, Equatable, Codable {
    public var id: DeviceID
    public var claimed: Bool

    public init(id: DeviceID, claimed: Bool) {
        self.id = id
        self.claimed = claimed
    }

    /// What the reply says of the device: its ID (the SoftAP setup does not tell the platform).
    public var identity: DeviceIdentity { DeviceIdentity(id: id) }
}

/// One `scan-ap` entry. `security` is the raw WICED value; `-1` means unknown.
public struct SoftAPNetwork: Sendable, Equatable {
    public var ssid: String
    public var rssi: Int
    public var security: SoftAPSecurity
    public var channel: Int
    /// Maximum data rate in kbit/s.
    public var maxDataRate: Int

    public init(ssid: String, rssi: Int, security: SoftAPSecurity, channel: Int, maxDataRate: Int) {
        self.ssid = ssid
        self.rssi = rssi
        self.security = security
        self.channel = channel
        self.maxDataRate = maxDataRate
    }
}

/// Turns reply JSON into typed values, or a `SoftAPError` that says what was wrong.
public enum SoftAPReplyDecoder {
    public static func version(_ json: JSONValue) throws(SoftAPError) -> Int {
        guard let version = json["v"]?.intValue else { throw malformed(.version, "no number \"v\"") }
        return version
    }

    public static func deviceInfo(_ json: JSONValue) throws(SoftAPError) -> SoftAPDeviceInfo {
        guard let id = json["id"]?.stringValue else { throw malformed(.deviceID, "no string \"id\"") }
        guard let deviceID = DeviceID(id) else {
            throw malformed(.deviceID, "\"id\" is not 24 hex digits")
        }
        // `c` is a string on every firmware; accept a number too rather than misreport a claimed device.
        let claimed: Bool
        switch json["c"] {
        case let .string(text)?: claimed = text == "1"
        case let .number(text)?: claimed = text == "1"
        case nil: claimed = false
        default: throw malformed(.deviceID, "\"c\" is neither \"0\" nor \"1\"")
        }
        return SoftAPDeviceInfo(id: deviceID, claimed: claimed)
    }

    public static func networks(_ json: JSONValue) throws(SoftAPError) -> [SoftAPNetwork] {
        guard let scans = json["scans"]?.arrayValue else { throw malformed(.scanAP, "no array \"scans\"") }
        return try scans.map { (entry: JSONValue) throws(SoftAPError) -> SoftAPNetwork in
            guard let ssid = entry["ssid"]?.stringValue, let rssi = entry["rssi"]?.intValue,
                  let sec = entry["sec"]?.intValue, let channel = entry["ch"]?.intValue
            else { throw malformed(.scanAP, "an entry lacks ssid, rssi, sec or ch") }
            return SoftAPNetwork(ssid: ssid, rssi: rssi, security: SoftAPSecurity(rawValue: sec), channel: channel,
                                 maxDataRate: entry["mdr"]?.intValue ?? 0)
        }
    }

    public static func publicKey(_ json: JSONValue) throws(SoftAPError) -> SoftAPPublicKey {
        let result = json["r"]?.intValue
        if let result, result != 0 { throw SoftAPError.noPublicKey(result: result) }
        guard let hex = json["b"]?.stringValue else { throw malformed(.publicKey, "no string \"b\"") }
        return try SoftAPPublicKey(deviceHex: hex)
    }

    /// `{"r":N}` replies (`set`, `configure-ap`, `connect-ap`): returns normally only for `r == 0`.
    public static func result(_ json: JSONValue, of command: SoftAPRequest.Command) throws(SoftAPError) {
        guard let result = json["r"]?.intValue else { throw malformed(command, "no number \"r\"") }
        guard result == 0 else { throw SoftAPError.resultCode(command: command, code: result) }
    }

    static func malformed(_ command: SoftAPRequest.Command, _ reason: String) -> SoftAPError {
        .malformedReply(command: command, reason: reason)
    }
}
