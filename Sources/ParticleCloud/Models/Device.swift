import ParticleCore
/// A device as `GET /v1/devices[/:id]` describes it, in the API's own fields (its `--json` keys are the API's). Only
/// `id` is certain; everything else may be absent. Who the device is, for the rest of the code, is its `identity`.
public struct Device: Codable, Equatable, Sendable {
    public var id: String
    public var name: String?
    public var owner: String?
    public var online: Bool?
    public var connected: Bool?
    public var platformID: Int?
    public var productID: Int?
    public var lastHeard: String?
    public var lastHandshakeAt: String?
    public var lastIPAddress: String?
    public var cellular: Bool?
    public var notes: String?
    public var functions: [String]?
    /// Variable name → type (`int32`, `double`, `string`, `bool`).
    public var variables: [String: String]?
    public var status: String?
    public var serialNumber: String?
    public var iccid: String?
    public var imei: String?
    public var systemFirmwareVersion: String?
    public var development: Bool?
    public var quarantined: Bool?

    public init(id: String, name: String? = nil, online: Bool? = nil, platformID: Int? = nil) {
        self.id = id
        self.name = name
        self.online = online
        self.platformID = platformID
    }

    /// What the cloud says of the device: ID (nil if the cloud sent something that is not one), name, platform,
    /// serial number, IMEI, ICCID and Device OS version.
    public var identity: DeviceIdentity {
        DeviceIdentity(id: DeviceID(id), name: name, platform: platformID.map { Platform.withID($0) ?? .unknown },
                       serialNumber: serialNumber, imei: imei, iccid: iccid, systemVersion: systemFirmwareVersion)
    }

    /// `online`, falling back to the older `connected`.
    public var isOnline: Bool { online ?? connected ?? false }

    /// Writes every key, `null` when absent, so `--json` output has one stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(owner, forKey: .owner)
        try container.encode(isOnline, forKey: .online)
        try container.encode(connected ?? online, forKey: .connected)
        try container.encode(platformID, forKey: .platformID)
        try container.encode(productID, forKey: .productID)
        try container.encode(lastHeard, forKey: .lastHeard)
        try container.encode(lastHandshakeAt, forKey: .lastHandshakeAt)
        try container.encode(lastIPAddress, forKey: .lastIPAddress)
        try container.encode(cellular, forKey: .cellular)
        try container.encode(notes, forKey: .notes)
        try container.encode(functions ?? [], forKey: .functions)
        try container.encode(variables ?? [:], forKey: .variables)
        try container.encode(status, forKey: .status)
        try container.encode(serialNumber, forKey: .serialNumber)
        try container.encode(iccid, forKey: .iccid)
        try container.encode(imei, forKey: .imei)
        try container.encode(systemFirmwareVersion, forKey: .systemFirmwareVersion)
        try container.encode(development, forKey: .development)
        try container.encode(quarantined, forKey: .quarantined)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, owner, online, connected, cellular, notes, functions, variables, status, iccid, imei
        case development, quarantined
        case platformID = "platform_id"
        case productID = "product_id"
        case lastHeard = "last_heard"
        case lastHandshakeAt = "last_handshake_at"
        case lastIPAddress = "last_ip_address"
        case serialNumber = "serial_number"
        case systemFirmwareVersion = "system_firmware_version"
    }
}

/// `GET /v1/products/:p/devices`.
public struct ProductDeviceList: Codable, Equatable, Sendable {
    public var devices: [Device]
    public var meta: PageMeta?
}

public struct PageMeta: Codable, Equatable, Sendable {
    public var totalPages: Int?
    enum CodingKeys: String, CodingKey { case totalPages = "total_pages" }
}

/// `PUT /v1/devices/:id` with `name` or `notes`.
public struct DeviceUpdate: Codable, Equatable, Sendable {
    public var id: String
    public var name: String?
    public var notes: String?
    public var updatedAt: String?
    enum CodingKeys: String, CodingKey {
        case id, name, notes
        case updatedAt = "updated_at"
    }
}

/// `PUT /v1/devices/:id/ping`.
public struct PingReply: Codable, Equatable, Sendable {
    public var online: Bool
    public var ok: Bool?
}

/// A variable's value: `GET /v1/devices/:id/:name`.
public struct VariableReply: Codable, Equatable, Sendable {
    public var name: String
    public var result: JSONValue
}

/// A function call's result: `POST /v1/devices/:id/:name`.
public struct FunctionReply: Codable, Equatable, Sendable {
    public var id: String?
    public var name: String?
    public var connected: Bool?
    public var returnValue: Int
    enum CodingKeys: String, CodingKey {
        case id, name, connected
        case returnValue = "return_value"
    }
}

/// `POST /v1/device_claims`.
public struct ClaimCode: Codable, Equatable, Sendable {
    public var claimCode: String
    /// Devices the caller already owns.
    public var deviceIDs: [String]?
    enum CodingKeys: String, CodingKey {
        case claimCode = "claim_code"
        case deviceIDs = "device_ids"
    }
}

/// `POST /v1/products/:p/devices`.
public struct ImportReply: Codable, Equatable, Sendable {
    public var updated: Int
    public var nonmemberDeviceIDs: [String]?
    public var invalidDeviceIDs: [String]?
    enum CodingKeys: String, CodingKey {
        case updated
        case nonmemberDeviceIDs = "nonmemberDeviceIds"
        case invalidDeviceIDs = "invalidDeviceIds"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(updated, forKey: .updated)
        try container.encode(nonmemberDeviceIDs ?? [], forKey: .nonmemberDeviceIDs)
        try container.encode(invalidDeviceIDs ?? [], forKey: .invalidDeviceIDs)
    }
}

/// `{"ok":true}` and friends.
public struct OKReply: Codable, Equatable, Sendable {
    public var ok: Bool?
}
