import ParticleCore
import Foundation

/// One SoftAP command: its name (also the HTTP path) and its JSON body, if any.
///
/// Building a request is pure; `tcpBytes` and `httpBytes(host:port:)` give the exact bytes each transport sends in
/// one write.
public struct SoftAPRequest: Sendable, Equatable {
    public enum Command: String, Sendable, CaseIterable {
        case version
        case deviceID = "device-id"
        case scanAP = "scan-ap"
        case publicKey = "public-key"
        case set
        case configureAP = "configure-ap"
        case connectAP = "connect-ap"
    }

    public var command: Command
    /// The compact JSON body, or nil for commands the device does not parse.
    public var body: String?

    public init(command: Command, body: String? = nil) {
        self.command = command
        self.body = body
    }

    public static let version = SoftAPRequest(command: .version)
    public static let deviceID = SoftAPRequest(command: .deviceID)
    public static let scanAP = SoftAPRequest(command: .scanAP)
    public static let publicKey = SoftAPRequest(command: .publicKey)
    /// `{"idx":0}`: the device ignores it, but it is what every official client sends.
    public static let connectAP = SoftAPRequest(
        command: .connectAP, body: JSONValue.object([("idx", .int(0))]).serialized)

    /// `set` with `{"k":"cc","v":code}`; the code is written raw (no `\/`), as the device stores it unescaped.
    public static func setClaimCode(_ code: String) -> SoftAPRequest {
        SoftAPRequest(command: .set, body: JSONValue.object([("k", .string("cc")), ("v", .string(code))]).serialized)
    }

    /// `configure-ap` from already-encrypted credentials.
    public static func configureAP(_ configuration: SoftAPWiFiConfiguration) -> SoftAPRequest {
        SoftAPRequest(command: .configureAP, body: configuration.json.serialized)
    }

    /// The body's length in UTF-8 bytes: what the device reads, whatever the characters.
    public var bodyByteCount: Int { body?.utf8.count ?? 0 }

    /// `<name>\n<UTF-8 byte length>\n\n<body>` (LF only, no sign, no spaces).
    public var tcpBytes: [UInt8] {
        Array("\(command.rawValue)\n\(bodyByteCount)\n\n".utf8) + Array((body ?? "").utf8)
    }

    /// `GET /<name>` without a body, or `POST /<name>` with `Content-Length` and the form content type (a CORS simple
    /// request), always `Connection: close`: one request per connection.
    public func httpBytes(host: String, port: Int) -> [UInt8] {
        let hostHeader = port == 80 ? host : "\(host):\(port)"
        var head: String
        if let body {
            head = "POST /\(command.rawValue) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
            head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            return Array(head.utf8) + Array(body.utf8)
        }
        head = "GET /\(command.rawValue) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8)
    }
}

/// The Wi-Fi credentials a `configure-ap` carries, with the secrets already RSA-encrypted (hex).
public struct SoftAPWiFiConfiguration: Sendable, Equatable {
    public enum Credentials: Sendable, Equatable {
        /// No `pwd` at all (open networks).
        case none
        /// WEP/WPA/WPA2 personal: the encrypted password.
        case password(encryptedHex: String)
        /// PEAP/MSCHAPv2: inner identity (user), optional outer identity, encrypted password.
        case peap(identity: String, outerIdentity: String?, encryptedPasswordHex: String)
        /// EAP-TLS: client certificate and CA (PEM), the AES key/IV encrypted with RSA, the AES-encrypted private key.
        case tls(certificatePEM: String, encryptedKeyHex: String, encryptedPrivateKeyHex: String,
                 caPEM: String?, outerIdentity: String?)
    }

    public var ssid: String
    public var security: SoftAPSecurity
    public var channel: Int
    public var credentials: Credentials

    public init(ssid: String, security: SoftAPSecurity, channel: Int, credentials: Credentials) {
        self.ssid = ssid
        self.security = security
        self.channel = channel
        self.credentials = credentials
    }

    /// Key order: idx, ssid, sec, ch, then the credential keys (the device table's names).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("idx", .int(0)), ("ssid", .string(ssid)), ("sec", .int(security.rawValue)), ("ch", .int(channel)),
        ]
        switch credentials {
        case .none:
            break
        case let .password(hex):
            members.append(("pwd", .string(hex)))
        case let .peap(identity, outer, hex):
            members.append(("eap", .int(25)))
            if let outer { members.append(("oi", .string(outer))) }
            members.append(("ii", .string(identity)))
            members.append(("pwd", .string(hex)))
        case let .tls(certificate, keyHex, privateKeyHex, ca, outer):
            members.append(("eap", .int(13)))
            if let outer { members.append(("oi", .string(outer))) }
            members.append(("crt", .string(Self.pemForDevice(certificate))))
            members.append(("ek", .string(keyHex)))
            members.append(("key", .string(privateKeyHex)))
            if let ca { members.append(("ca", .string(Self.pemForDevice(ca)))) }
        }
        return .object(members)
    }

    /// PEM as the device wants it: trimmed, then CR LF appended (as softap-setup-js does).
    static func pemForDevice(_ pem: String) -> String {
        pem.trimmingCharacters(in: .whitespacesAndNewlines) + "\r\n"
    }
}
