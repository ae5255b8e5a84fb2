import Foundation

/// The fake cloud's whole state, as the seed fixture and the state file on exit describe it (snake_case JSON).
public struct FakeCloudData: Codable, Sendable, Equatable {
    public var users: [FakeUser] = []
    public var tokens: [FakeToken] = []
    public var products: [FakeProduct] = []
    public var organizations: [FakeOrganization] = []
    public var customers: [FakeCustomer] = []
    public var devices: [FakeDevice] = []
    public var claimCodes: [FakeClaimCode] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case users, tokens, products, organizations, customers, devices
        case claimCodes = "claim_codes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        users = try container.decodeIfPresent([FakeUser].self, forKey: .users) ?? []
        tokens = try container.decodeIfPresent([FakeToken].self, forKey: .tokens) ?? []
        products = try container.decodeIfPresent([FakeProduct].self, forKey: .products) ?? []
        organizations = try container.decodeIfPresent([FakeOrganization].self, forKey: .organizations) ?? []
        customers = try container.decodeIfPresent([FakeCustomer].self, forKey: .customers) ?? []
        devices = try container.decodeIfPresent([FakeDevice].self, forKey: .devices) ?? []
        claimCodes = try container.decodeIfPresent([FakeClaimCode].self, forKey: .claimCodes) ?? []
    }
}

/// A user account. With `otp` set the account has MFA and that is the one valid 6-digit code.
public struct FakeUser: Codable, Sendable, Equatable {
    public var username: String
    public var password: String
    public var otp: String?
}

/// An issued access token.
public struct FakeToken: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case user, product, customer, apiUser = "api_user" }
    public var token: String
    public var kind: Kind
    /// The user (kind user), the API user's username (kind api_user) or the customer's email (kind customer).
    public var username: String?
    public var productID: Int?
    public var organization: String?
    public var scopes: [String]?
    /// ISO 8601; nil = never expires.
    public var expiresAt: String?
    public var client: String

    enum CodingKeys: String, CodingKey {
        case token, kind, username, organization, scopes, client
        case productID = "product_id"
        case expiresAt = "expires_at"
    }
}

public struct FakeClient: Codable, Sendable, Equatable {
    public var id: String
    public var secret: String
}

public struct FakeTeamMember: Codable, Sendable, Equatable {
    public var username: String
    public var isProgrammatic: Bool
    public var friendlyName: String?
    public var scopes: [String]?
    public var role: String?

    enum CodingKeys: String, CodingKey {
        case username, scopes, role
        case isProgrammatic = "is_programmatic"
        case friendlyName = "friendly_name"
    }
}

public struct FakeProduct: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var slug: String
    public var platformID: Int
    public var organization: String?
    public var clients: [FakeClient]
    public var team: [FakeTeamMember]

    enum CodingKeys: String, CodingKey {
        case id, name, slug, organization, clients, team
        case platformID = "platform_id"
    }
}

public struct FakeOrganization: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var slug: String
    public var team: [FakeTeamMember]
}

public struct FakeCustomer: Codable, Sendable, Equatable {
    public var id: String
    public var username: String
    public var productID: Int

    enum CodingKeys: String, CodingKey {
        case id, username
        case productID = "product_id"
    }
}

/// A device; `variables` holds each variable's current value (its type follows from the JSON value).
public struct FakeDevice: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var platformID: Int
    /// The owning user's username, or the customer's email for product devices claimed by a customer.
    public var owner: String?
    public var productID: Int?
    public var online: Bool
    public var notes: String?
    public var functions: [String]
    public var variables: [String: FakeVariable]
    public var serialNumber: String?
    public var lastHeard: String?

    enum CodingKeys: String, CodingKey {
        case id, name, owner, online, notes, functions, variables
        case platformID = "platform_id"
        case productID = "product_id"
        case serialNumber = "serial_number"
        case lastHeard = "last_heard"
    }
}

public enum FakeVariable: Codable, Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    var typeName: String {
        switch self {
        case .int: "int32"
        case .double: "double"
        case .string: "string"
        case .bool: "bool"
        }
    }

    var json: Any {
        switch self {
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .bool(let value): value
        }
    }
}

public struct FakeClaimCode: Codable, Sendable, Equatable {
    public var code: String
    /// The user who asked for it (sandbox), or the customer's email (product).
    public var owner: String
    public var productID: Int?

    enum CodingKeys: String, CodingKey {
        case code, owner
        case productID = "product_id"
    }
}
