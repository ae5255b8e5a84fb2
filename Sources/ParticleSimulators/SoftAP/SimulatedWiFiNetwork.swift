import ParticleCore
import ParticleSoftAP

/// A Wi-Fi network "in range" of the simulated Photon: what `scan-ap` reports, and what joining it needs.
public struct SimulatedWiFiNetwork: Sendable, Equatable {
    public var ssid: String
    public var security: SoftAPSecurity
    public var channel: Int
    public var rssi: Int
    public var maxDataRate: Int
    /// The password that lets the device join (nil: any password of a valid length works).
    public var password: String?

    public init(ssid: String, security: SoftAPSecurity, channel: Int, rssi: Int = -60, maxDataRate: Int = 144_400,
                password: String? = nil) {
        self.ssid = ssid
        self.security = security
        self.channel = channel
        self.rssi = rssi
        self.maxDataRate = maxDataRate
        self.password = password
    }

    /// What the simulator sees by default: WPA2 home network, a non-ASCII open café, WPA with TKIP, an enterprise
    /// network and a duplicate BSSID, as a real scan would list them.
    public static let defaults: [SimulatedWiFiNetwork] = [
        SimulatedWiFiNetwork(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 0x40_0004), channel: 6, rssi: -48,
                             password: "correct horse battery"),
        SimulatedWiFiNetwork(ssid: "Café Libre", security: .open, channel: 11, rssi: -71, maxDataRate: 54000),
        SimulatedWiFiNetwork(ssid: "Tenda_51E728", security: SoftAPSecurity(rawValue: 0x20_0004), channel: 1, rssi: -82,
                             maxDataRate: 150_000),
        SimulatedWiFiNetwork(ssid: "CorpNet", security: SoftAPSecurity(rawValue: 0x240_0006), channel: 36, rssi: -66,
                             maxDataRate: 300_000),
        SimulatedWiFiNetwork(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 0x40_0004), channel: 6, rssi: -79,
                             password: "correct horse battery"),
    ]

    /// The `scan-ap` entry, in the device's fixed key order.
    var scanJSON: JSONValue {
        .object([("ssid", .string(ssid)), ("rssi", .int(rssi)), ("sec", .int(security.rawValue)), ("ch", .int(channel)),
                 ("mdr", .int(maxDataRate))])
    }
}
