import ParticleCore

/// The `i` reply as the console sends it: the device ID and, where the device reports them, its other identifiers. A
/// wire reply, tested on bytes; the rest of the code takes its `identity`.
public struct IdentifyReply: Sendable, Equatable {
    public var deviceID: DeviceID
    public var serialNumber: String?
    public var imei: String?
    public var iccid: String?
    public var cellRadioVersion: String?
    /// Further `Label: value` lines, in the order the device sent them. The device secret is never kept.
    public var otherProperties: [Property]

    public struct Property: Sendable, Equatable {
        public var label: String
        public var value: String
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public init(deviceID: DeviceID, serialNumber: String? = nil, imei: String? = nil, iccid: String? = nil,
                cellRadioVersion: String? = nil, otherProperties: [Property] = []) {
        self.deviceID = deviceID
        self.serialNumber = serialNumber
        self.imei = imei
        self.iccid = iccid
        self.cellRadioVersion = cellRadioVersion
        self.otherProperties = otherProperties
    }

    /// What the reply says of the device: its ID, serial number, IMEI and ICCID.
    public var identity: DeviceIdentity {
        DeviceIdentity(id: deviceID, serialNumber: serialNumber, imei: imei, iccid: iccid)
    }
}

/// The `s` reply: platform and firmware modules, as the device reports them.
public struct SystemInfo: Sendable, Equatable, Decodable {
    public var platformID: Int
    public var imei: String?
    public var iccid: String?
    public var cellRadioVersion: String?
    public var modules: [Module]

    enum CodingKeys: String, CodingKey {
        case platformID = "p", imei, iccid, cellRadioVersion = "cellfw", modules = "m"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        platformID = try container.decode(Int.self, forKey: .platformID)
        imei = try container.decodeIfPresent(String.self, forKey: .imei)
        iccid = try container.decodeIfPresent(String.self, forKey: .iccid)
        cellRadioVersion = try container.decodeIfPresent(String.self, forKey: .cellRadioVersion)
        modules = try container.decodeIfPresent([Module].self, forKey: .modules) ?? []
    }

    public struct Module: Sendable, Equatable, Decodable {
        /// Maximum size in bytes.
        public var maximumSize: Int?
        /// `m` main, `b` backup, `f` factory, `t` scratchpad.
        public var location: String?
        public var validityChecked: Int?
        public var validityResult: Int?
        /// SHA-256 of a user module, hex.
        public var hash: String?
        /// `r b m s u c a`: resource, bootloader, monolithic, system, user, NCP, radio stack.
        public var function: String
        public var index: String
        public var version: Int
        public var dependencies: [Dependency]

        enum CodingKeys: String, CodingKey {
            case maximumSize = "s", location = "l", validityChecked = "vc", validityResult = "vv", hash = "u"
            case function = "f", index = "n", version = "v", dependencies = "d"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            maximumSize = try container.decodeIfPresent(Int.self, forKey: .maximumSize)
            location = try container.decodeIfPresent(String.self, forKey: .location)
            validityChecked = try container.decodeIfPresent(Int.self, forKey: .validityChecked)
            validityResult = try container.decodeIfPresent(Int.self, forKey: .validityResult)
            hash = try container.decodeIfPresent(String.self, forKey: .hash)
            function = try container.decode(String.self, forKey: .function)
            index = try SystemInfo.decodeIndex(container, .index)
            version = try container.decode(Int.self, forKey: .version)
            dependencies = try container.decodeIfPresent([Dependency].self, forKey: .dependencies) ?? []
        }

        /// The function letter spelled out ("system", "user" …).
        public var functionName: String { SystemInfo.functionNames[function] ?? function }

        /// True when every validity check the device ran passed.
        public var isValid: Bool? {
            guard let validityChecked, let validityResult else { return nil }
            return validityChecked == validityResult
        }
    }

    public struct Dependency: Sendable, Equatable, Decodable {
        public var function: String
        public var index: String
        public var version: Int

        enum CodingKeys: String, CodingKey { case function = "f", index = "n", version = "v" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            function = try container.decode(String.self, forKey: .function)
            index = try SystemInfo.decodeIndex(container, .index)
            version = try container.decode(Int.self, forKey: .version)
        }

        public var functionName: String { SystemInfo.functionNames[function] ?? function }
    }

    /// The platform the `p` number stands for; `Platform.unknown` (with no id) for a number not in the table.
    public var platform: Platform { Platform.withID(platformID) ?? .unknown }

    /// What the reply says of the device: its platform, IMEI and ICCID.
    public var identity: DeviceIdentity {
        DeviceIdentity(platform: Platform.withID(platformID), imei: imei, iccid: iccid)
    }

    public static let functionNames = [
        "r": "resource", "b": "bootloader", "m": "monolithic", "s": "system", "u": "user", "c": "ncp",
        "a": "radio-stack", "n": "none",
    ]

    /// The module index is a string in Device OS; accept a number too.
    static func decodeIndex<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> String {
        if let text = try? container.decode(String.self, forKey: key) { return text }
        return String(try container.decode(Int.self, forKey: key))
    }
}
