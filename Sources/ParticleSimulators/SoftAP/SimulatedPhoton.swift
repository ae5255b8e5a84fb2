import ParticleCore
import ParticleSoftAP

/// The SoftAP command handlers of a Photon/P1 on Device OS ≥ 0.7.0, as plain state and functions (no sockets).
///
/// Faithful to the firmware: replies written by hand (compact, fixed key order, strings not escaped), strict request
/// JSON (an unknown key or a wrong type → no JSON at all), `set` only for `cc`, `configure-ap` decrypting `pwd` and
/// checking lengths, the on-air security winning over the requested one for WPA networks.
public struct SimulatedPhoton: Sendable {
    /// What the device remembers, readable by tests and by the provisioning simulator.
    public struct Credentials: Sendable, Equatable {
        public var ssid: String
        public var security: SoftAPSecurity
        public var channel: Int
        /// Decrypted. The simulator never prints it.
        public var password: String?
        public var eapType: Int?
        public var innerIdentity: String?
        public var outerIdentity: String?
        public var certificate: String?
        public var privateKey: String?
        public var caCertificate: String?
    }

    /// What a handler answers.
    public enum Reply: Sendable, Equatable {
        /// A JSON reply, exactly as the device writes it.
        case json(String)
        /// The request was parsed but refused before replying: TCP sends only `\n\n`, HTTP an empty 200.
        case noJSON
        /// Unknown TCP command (or antenna switch): close without writing anything.
        case close
    }

    public var deviceID: String
    public var claimed: Bool
    public let key: SimulatedDeviceKey
    public var networks: [SimulatedWiFiNetwork]
    public private(set) var claimCode: String?
    /// The DCT's five credential slots, newest last.
    public private(set) var storedCredentials: [Credentials] = []

    public init(deviceID: String, claimed: Bool = false, key: SimulatedDeviceKey,
                networks: [SimulatedWiFiNetwork] = SimulatedWiFiNetwork.defaults) {
        self.deviceID = deviceID.uppercased()
        self.claimed = claimed
        self.key = key
        self.networks = networks
    }

    public static let commandNames = Set(SoftAPRequest.Command.allCases.map(\.rawValue))

    /// Handles one command (not scan-ap, which streams: see `scanEntries`).
    public mutating func handle(command: String, body: [UInt8]) -> Reply {
        switch command {
        case "version": return .json("{\"v\":2}")
        case "device-id": return .json("{\"id\":\"\(deviceID)\",\"c\":\"\(claimed ? "1" : "0")\"}")
        case "public-key": return .json("{\"b\":\"\(key.deviceHex)\",\"r\":0}")
        case "scan-ap": return .json(scanReply)
        case "set": return set(body)
        case "configure-ap": return configure(body)
        case "connect-ap": return .json("{\"r\":0}")
        default: return .close
        }
    }

    /// The scan reply, in pieces as the device streams it: the opening, one piece per network, the closing.
    public var scanPieces: [String] {
        var pieces = ["{\"scans\":["]
        for network in networks where !network.ssid.isEmpty {
            pieces.append((pieces.count > 1 ? "," : "") + Self.rawJSON(network.scanJSON))
        }
        pieces.append("]}")
        return pieces
    }

    var scanReply: String { scanPieces.joined() }

    /// `set`: `{"k":"cc","v":code}` only.
    mutating func set(_ body: [UInt8]) -> Reply {
        guard let members = Self.strictObject(body, keys: ["k": .string, "v": .string]) else { return .noJSON }
        let key = String((members["k"] ?? "").prefix(2))
        let value = String(decoding: Array((members["v"] ?? "").utf8.prefix(63)), as: UTF8.self)
        guard key == "cc", !value.isEmpty else { return .json("{\"r\":-1}") }
        claimCode = value
        return .json("{\"r\":0}")
    }

    /// `configure-ap`, as `parsed_value` and `save_credentials` do it on ≥ 0.7.0.
    mutating func configure(_ body: [UInt8]) -> Reply {
        let schema: [String: ValueKind] = [
            "idx": .primitive, "ssid": .string, "pwd": .string, "ch": .primitive, "sec": .primitive, "eap": .primitive,
            "oi": .string, "ii": .string, "crt": .string, "ek": .string, "key": .string, "ca": .string,
        ]
        guard let members = Self.strictObject(body, keys: schema) else { return .noJSON }
        let ssid = members["ssid"] ?? ""
        var password: String?
        // ≥ 0.7.0 leaves an empty `pwd` alone (no decryption attempted).
        if let pwd = members["pwd"], !pwd.isEmpty {
            do {
                password = String(decoding: try key.decrypt(hex: pwd).prefix(64), as: UTF8.self)
            } catch {
                return .json("{\"r\":\(error.deviceCode)}")
            }
        }
        var privateKey: String?
        if let ek = members["ek"], let encrypted = members["key"] {
            do {
                privateKey = String(decoding: try key.decryptPrivateKey(ek: ek, key: encrypted), as: UTF8.self)
            } catch {
                return .json("{\"r\":\(error.deviceCode)}")
            }
        }
        let requested = Int(members["sec"] ?? "0") ?? 0
        let channel = Int(members["ch"] ?? "0") ?? 0
        var security = SoftAPSecurity(rawValue: requested)
        // WPA/WPA2 personal: the device looks the SSID up on air and keeps what it finds there.
        if requested == -1 {
            security = SoftAPSecurity(rawValue: SoftAPSecurity.wepFlag)
        } else if !security.isOpen, !security.isWEP, !security.isEnterprise {
            guard let seen = networks.first(where: { $0.ssid == ssid }) else { return .json("{\"r\":-2}") }
            security = seen.security
        }
        guard !ssid.isEmpty, ssid.utf8.count <= 32 else { return .json("{\"r\":-3}") }
        let length = password?.utf8.count ?? 0
        if security.isWEP, !(5...58).contains(length) { return .json("{\"r\":-4}") }
        if !security.isOpen, !security.isWEP, !security.isEnterprise, !(8...64).contains(length) {
            return .json("{\"r\":-4}")
        }
        let credentials = Credentials(
            ssid: ssid, security: security, channel: channel, password: password,
            eapType: members["eap"].flatMap { Int($0) }, innerIdentity: members["ii"], outerIdentity: members["oi"],
            certificate: members["crt"].flatMap(Self.jsonUnescape), privateKey: privateKey,
            caCertificate: members["ca"].flatMap(Self.jsonUnescape))
        storedCredentials.removeAll { $0.ssid == ssid }
        storedCredentials.append(credentials)
        if storedCredentials.count > 5 { storedCredentials.removeFirst() }
        return .json("{\"r\":0}")
    }

    /// Whether the newest stored credentials get the device onto a network in range.
    public var canJoin: Bool {
        guard let latest = storedCredentials.last,
              let network = networks.first(where: { $0.ssid == latest.ssid }) else { return false }
        if network.security.isOpen { return true }
        if let expected = network.password { return latest.password == expected }
        return latest.password != nil || latest.privateKey != nil
    }

    /// Marks the device claimed, as it does once the cloud has accepted its claim code.
    public mutating func markClaimed() { claimed = true }

    // MARK: jsmn-like strict request parsing

    enum ValueKind { case string, primitive }

    /// The members of a flat object whose keys are all in `keys`, with values of the right kind (strings raw, as
    /// jsmn hands them over; primitives as their text). nil for anything the firmware would reject.
    static func strictObject(_ body: [UInt8], keys: [String: ValueKind]) -> [String: String]? {
        guard !body.isEmpty, case let .complete(value, _) = JSONValue.parse(body, rawStrings: true),
              case let .object(members) = value else { return nil }
        var result: [String: String] = [:]
        for member in members {
            guard let kind = keys[member.key] else { return nil }
            switch (kind, member.value) {
            case let (.string, .string(text)): result[member.key] = text
            case let (.primitive, .number(text)): result[member.key] = text
            case (.primitive, .null): result[member.key] = "0"
            case let (.primitive, .bool(flag)): result[member.key] = flag ? "1" : "0"
            default: return nil
            }
        }
        return result
    }

    /// The firmware's `json_unescape` (crt and ca only): `\" \\ \/ \b \t \n \f \r`; fails on anything else.
    static func jsonUnescape(_ text: String) -> String? {
        var out: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            switch iterator.next() {
            case UInt8(ascii: "\"")?: out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\")?: out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/")?: out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b")?: out.append(0x08)
            case UInt8(ascii: "t")?: out.append(0x09)
            case UInt8(ascii: "n")?: out.append(0x0A)
            case UInt8(ascii: "f")?: out.append(0x0C)
            case UInt8(ascii: "r")?: out.append(0x0D)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON as the firmware writes it: strings quoted without any escaping (`write_quoted_string`).
    static func rawJSON(_ value: JSONValue) -> String {
        switch value {
        case let .object(members):
            return "{" + members.map { "\"\($0.key)\":" + rawJSON($0.value) }.joined(separator: ",") + "}"
        case let .array(items): return "[" + items.map(rawJSON).joined(separator: ",") + "]"
        case let .string(text): return "\"\(text)\""
        default: return value.serialized
        }
    }
}
