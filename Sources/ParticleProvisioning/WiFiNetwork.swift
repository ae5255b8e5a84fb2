import ParticleCore
import ParticleSerial
import ParticleSoftAP

/// The security of the Wi-Fi network a device is to join: one value for serial and SoftAP, parsed once (before
/// anything goes to the device) and mapped to what each link sends.
public struct NetworkSecurity: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case open, wep, wpa, wpa2, wpa3
    }

    public var kind: Kind
    /// WPA/WPA2 only; nil lets the serial console use AES and SoftAP the mixed (AES+TKIP) value.
    public var cipher: WiFiCipher?

    public init(_ kind: Kind, cipher: WiFiCipher? = nil) {
        self.kind = kind
        self.cipher = kind == .wpa || kind == .wpa2 ? cipher : nil
    }

    /// Every name `init(parsing:)` accepts (`-` and `_` are interchangeable, case does not matter).
    public static let acceptedNames = ["none", "open", "wep", "wpa", "wpa2", "wpa3",
                                       "wpa_aes", "wpa_tkip", "wpa_mixed", "wpa2_aes", "wpa2_tkip", "wpa2_mixed"]

    /// `none`/`open`, `wep`, `wpa`, `wpa2`, `wpa3`, or WPA/WPA2 with a cipher (`wpa2_aes`, `wpa_tkip`, `wpa2_mixed` …).
    public init?(parsing text: String) {
        let name = text.lowercased().replacingOccurrences(of: "-", with: "_")
        let parts = name.split(separator: "_", maxSplits: 1).map(String.init)
        guard let first = parts.first else { return nil }
        let kind: Kind
        switch first {
        case "none", "open": kind = .open
        default:
            guard let parsed = Kind(rawValue: first) else { return nil }
            kind = parsed
        }
        var cipher: WiFiCipher?
        if parts.count == 2 {
            guard kind == .wpa || kind == .wpa2 else { return nil }
            switch parts[1] {
            case "aes": cipher = .aes
            case "tkip": cipher = .tkip
            case "mixed": cipher = .aesTkip
            default: return nil
            }
        }
        self.init(kind, cipher: cipher)
    }

    public var description: String {
        switch cipher {
        case .aes?: "\(kind.rawValue)_aes"
        case .tkip?: "\(kind.rawValue)_tkip"
        case .aesTkip?: "\(kind.rawValue)_mixed"
        case nil: kind.rawValue
        }
    }

    /// What the listening-mode console's `Security …:` and `Security Cipher …:` prompts take.
    public var serial: (security: WiFiSecurity, cipher: WiFiCipher?) {
        switch kind {
        case .open: (.unsecured, nil)
        case .wep: (.wep, nil)
        case .wpa: (.wpa, cipher)
        case .wpa2: (.wpa2, cipher)
        case .wpa3: (.wpa3, nil)
        }
    }

    /// What SoftAP's `configure-ap` takes; nil for WPA3, which the Photon and P1 do not support.
    public var softAP: SoftAPSecurity? {
        let cipherBits: Int = switch cipher {
        case .aes?: SoftAPSecurity.aesFlag
        case .tkip?: SoftAPSecurity.tkipFlag
        case .aesTkip?, nil: SoftAPSecurity.aesFlag | SoftAPSecurity.tkipFlag
        }
        switch kind {
        case .open: return .open
        case .wep: return SoftAPSecurity(rawValue: SoftAPSecurity.wepFlag)
        case .wpa: return SoftAPSecurity(rawValue: SoftAPSecurity.wpaFlag | cipherBits)
        case .wpa2: return SoftAPSecurity(rawValue: SoftAPSecurity.wpa2Flag | cipherBits)
        case .wpa3: return nil
        }
    }

    public var needsPassword: Bool { kind != .open }
}

/// The rules a Wi-Fi password must follow for a security, checked before anything is written to the device (the
/// device truncates or refuses a bad one only after the claim code was stored). Pure.
public enum WiFiPasswordRule {
    /// A reason the password cannot work with `security` (nil: the device's scan decides), or nil when it can.
    /// Never contains the password.
    public static func problem(_ password: String, security: NetworkSecurity?) -> String? {
        if password.contains(where: { $0 == "\r" || $0 == "\n" }) { return "the Wi-Fi password contains a line break" }
        let count = password.utf8.count
        let isHexKey = count == 64 && password.allSatisfy(\.isHexDigit)
        switch security?.kind {
        case .open?:
            return password.isEmpty ? nil : "an open network takes no password (leave it empty, or name the network's security)"
        case .wep?:
            return (5...58).contains(count) ? nil : "a WEP key must be 5 to 58 characters long"
        case .wpa?, .wpa2?, .wpa3?:
            if (8...63).contains(count) || isHexKey { return nil }
            return "a WPA password must be 8 to 63 characters long, or 64 hexadecimal digits (it has \(count))"
        case nil:
            if password.isEmpty || isHexKey || (5...63).contains(count) { return nil }
            return count < 5
                ? "the Wi-Fi password is too short for any secured network (WEP needs 5 characters, WPA 8)"
                : "a Wi-Fi password is at most 63 characters, or 64 hexadecimal digits (it has \(count))"
        }
    }
}

/// The cloud's rules for a device name, checked before the device is touched: 1 to 63 ASCII letters, digits, `_`
/// and `-`, and not 24 hexadecimal digits (that would read as a device ID). Pure.
public enum DeviceNameRule {
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "the device name is empty" }
        if name.count > 63 { return "the device name is longer than 63 characters" }
        if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            return "the device name '\(name.prefix(63))' may only contain letters, digits, _ and -"
        }
        if DeviceID.isValid(name) {
            return "the device name '\(name)' would read as a device ID (24 hexadecimal digits)"
        }
        return nil
    }
}
