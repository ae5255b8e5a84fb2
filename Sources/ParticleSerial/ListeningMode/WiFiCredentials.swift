/// Wi-Fi security as the listening-mode console numbers it.
public enum WiFiSecurity: String, Sendable, CaseIterable, Codable {
    case unsecured = "none"
    case wep, wpa, wpa2, wpa3
    case wpaEnterprise = "wpa-enterprise"
    case wpa2Enterprise = "wpa2-enterprise"

    /// The digit the `Security …:` prompt takes.
    public var answer: String {
        switch self {
        case .unsecured: "0"
        case .wep: "1"
        case .wpa: "2"
        case .wpa2: "3"
        case .wpaEnterprise: "4"
        case .wpa2Enterprise: "5"
        case .wpa3: "6"
        }
    }

    public init?(answer: String) {
        guard let match = Self.allCases.first(where: { $0.answer == answer }) else { return nil }
        self = match
    }

    public var isEnterprise: Bool { self == .wpaEnterprise || self == .wpa2Enterprise }
    public var needsPassword: Bool { self == .wep || self == .wpa || self == .wpa2 || self == .wpa3 }
}

public enum WiFiCipher: String, Sendable, CaseIterable, Codable {
    case aes
    case tkip
    case aesTkip = "aes+tkip"

    public var answer: String {
        switch self {
        case .aes: "1"
        case .tkip: "2"
        case .aesTkip: "3"
        }
    }

    public init?(answer: String) {
        guard let match = Self.allCases.first(where: { $0.answer == answer }) else { return nil }
        self = match
    }
}

public enum EAPType: String, Sendable, CaseIterable, Codable {
    case peap, tls
    public var answer: String { self == .peap ? "0" : "1" }
}

/// What the Wi-Fi dialogue may need. Only the fields the device asks for are sent; `security`, `cipher` and the rest
/// may stay nil when the device finds the network in its scan and does not ask.
///
/// `password` and `privateKey` are secrets: they are never printed, logged or put in an error message.
public struct WiFiCredentials: Sendable, Equatable {
    public var ssid: String
    public var security: WiFiSecurity?
    /// nil: AES when the device asks (what particle-cli answers too).
    public var cipher: WiFiCipher?
    public var password: String?
    public var eap: EAPType?
    public var username: String?
    public var outerIdentity: String?
    public var clientCertificate: String?
    public var privateKey: String?
    public var rootCA: String?

    public init(ssid: String, security: WiFiSecurity? = nil, cipher: WiFiCipher? = nil, password: String? = nil,
                eap: EAPType? = nil, username: String? = nil, outerIdentity: String? = nil,
                clientCertificate: String? = nil, privateKey: String? = nil, rootCA: String? = nil) {
        self.ssid = ssid
        self.security = security
        self.cipher = cipher
        self.password = password
        self.eap = eap
        self.username = username
        self.outerIdentity = outerIdentity
        self.clientCertificate = clientCertificate
        self.privateKey = privateKey
        self.rootCA = rootCA
    }

    /// Checks what the device would reject or mangle: lengths (the device truncates silently), control characters
    /// (the console's line editor acts on them: BS and DEL erase, CR and LF end the line, NUL ends the C string), and
    /// the key lengths the device refuses after a dry run (WEP 5–58, WPA 8–64). Returns a message, or nil when fine.
    /// The message never contains the password.
    public func problem() -> String? {
        if ssid.isEmpty { return "the SSID is empty" }
        if ssid.utf8.count > 32 { return "the SSID is longer than 32 bytes" }
        for (name, value) in [("SSID", ssid), ("username", username ?? ""), ("outer identity", outerIdentity ?? ""),
                              ("password", password ?? "")] {
            if let problem = ConsoleText.problem(in: value, named: name) { return problem }
        }
        for (name, value) in [("client certificate", clientCertificate ?? ""), ("private key", privateKey ?? ""),
                              ("root CA", rootCA ?? "")] {
            if let problem = ConsoleText.problem(in: value, named: name, allowingLineBreaks: true) { return problem }
        }
        if let password {
            if password.utf8.count > 64 { return "the password is longer than 64 characters" }
            switch security {
            case .wep where !(5...58).contains(password.utf8.count):
                return "a WEP key must be 5 to 58 characters long"
            case .wpa?, .wpa2?, .wpa3?:
                if !(8...64).contains(password.utf8.count) { return "a WPA password must be 8 to 64 characters long" }
            default: break
            }
        }
        if let username, username.utf8.count > 64 { return "the username is longer than 64 characters" }
        if let outerIdentity, outerIdentity.utf8.count > 64 { return "the outer identity is longer than 64 characters" }
        return nil
    }
}

/// Text typed into the console's line editor (`serialReadLine`): it ends a line at CR or LF, erases with BS and
/// DEL, and stores into a C string (NUL ends it). Any C0 control character or DEL would be acted on or cut, not
/// stored, so such text is refused before anything is sent.
public enum ConsoleText {
    /// A message naming the field and the offending byte (never the value: it may be a password); nil when fine.
    public static func problem(in value: String, named name: String, allowingLineBreaks: Bool = false) -> String? {
        for byte in value.utf8 where byte < 0x20 || byte == 0x7f {
            if allowingLineBreaks && (byte == 0x0a || byte == 0x0d) { continue }
            if byte == 0x0a || byte == 0x0d { return "the \(name) contains a line break" }
            let hex = String(byte, radix: 16, uppercase: true)
            let code = "0x" + (hex.count == 1 ? "0" : "") + hex
            let what = byte == 0x08 ? "a backspace (0x08)" : byte == 0x7f ? "a DEL (0x7F)" : "a control character (\(code))"
            return "the \(name) contains \(what), which the device's console would act on instead of storing — remove it"
        }
        return nil
    }
}
