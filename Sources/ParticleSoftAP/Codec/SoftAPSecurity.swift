/// A Wi-Fi security type as the Photon's WICED stack numbers it (`sec` in `scan-ap` and `configure-ap`).
///
/// The raw value is a set of WICED flags; the table below names the values the firmware and the official tools use.
/// Values seen in a scan are passed to `configure-ap` unchanged (cipher bits included) so both firmware generations work.
public struct SoftAPSecurity: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    // WICED flags (wwd_constants.h).
    public static let wepFlag = 0x1
    public static let tkipFlag = 0x2
    public static let aesFlag = 0x4
    public static let sharedFlag = 0x8000
    public static let wpaFlag = 0x20_0000
    public static let wpa2Flag = 0x40_0000
    /// The enterprise bit: a mask, not a value.
    public static let enterpriseMask = 0x200_0000
    public static let wpsFlag = 0x1000_0000
    public static let ibssFlag = 0x2000_0000

    public static let open = SoftAPSecurity(rawValue: 0)
    public static let unknown = SoftAPSecurity(rawValue: -1)

    /// Every named value: canonical name first, then the names softap-setup-js also accepts.
    public static let table: [(names: [String], value: Int)] = [
        (["open", "none"], 0),
        (["wep_psk", "wep"], 0x1),
        (["wep_shared"], 0x8001),
        (["wpa_tkip"], 0x20_0002),
        (["wpa_aes"], 0x20_0004),
        (["wpa_mixed"], 0x20_0006),
        (["wpa2_tkip"], 0x40_0002),
        (["wpa2_aes"], 0x40_0004),
        (["wpa2_mixed", "wpa2"], 0x40_0006),
        (["wpa_tkip_ent"], 0x220_0002),
        (["wpa_aes_ent"], 0x220_0004),
        (["wpa_mixed_ent", "wpa_enterprise"], 0x220_0006),
        (["wpa2_tkip_ent"], 0x240_0002),
        (["wpa2_aes_ent"], 0x240_0004),
        (["wpa2_mixed_ent", "wpa2_enterprise"], 0x240_0006),
        (["ibss_open"], 0x2000_0000),
        (["wps_open"], 0x1000_0000),
        (["wps_secure"], 0x1000_0004),
        (["unknown"], -1),
    ]

    /// The value for a name from the table (case-insensitive; `-` and `_` are interchangeable).
    public init?(name: String) {
        let wanted = name.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let entry = Self.table.first(where: { $0.names.contains(wanted) }), entry.value != -1 else { return nil }
        rawValue = entry.value
    }

    /// Every accepted name, for help text and error messages.
    public static var acceptedNames: [String] { table.filter { $0.value != -1 }.flatMap(\.names) }

    /// The canonical name, or the hex value when the table has no name for it.
    public var name: String {
        if let entry = Self.table.first(where: { $0.value == rawValue }) { return entry.names[0] }
        return "0x" + String(rawValue, radix: 16)
    }

    public var description: String { name }

    /// No password: open, IBSS and WPS-open networks.
    public var isOpen: Bool { rawValue >= 0 && rawValue & (Self.wepFlag | Self.tkipFlag | Self.aesFlag) == 0 && rawValue & Self.enterpriseMask == 0 }

    /// WPA or WPA2 enterprise (the mask test the Particle CLI uses).
    public var isEnterprise: Bool { rawValue >= 0 && rawValue & Self.enterpriseMask != 0 }

    public var isWEP: Bool { rawValue == -1 || (rawValue & Self.wepFlag != 0 && rawValue & (Self.wpaFlag | Self.wpa2Flag) == 0) }
}
