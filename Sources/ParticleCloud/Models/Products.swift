/// A product (`GET /v1/user/products`, `GET /v1/products/:p`).
public struct Product: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var slug: String?
    public var platformID: Int?
    public var description: String?
    public var organization: String?

    enum CodingKeys: String, CodingKey {
        case id, name, slug, description, organization
        case platformID = "platform_id"
    }

    /// Writes every key, `null` when absent (one stable `--json` shape).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(platformID, forKey: .platformID)
        try container.encode(description, forKey: .description)
        try container.encode(organization, forKey: .organization)
    }

    public init(id: Int, name: String, slug: String? = nil, platformID: Int? = nil) {
        self.id = id
        self.name = name
        self.slug = slug
        self.platformID = platformID
    }
}

/// An organization (`GET /v1/orgs`).
public struct Organization: Codable, Equatable, Sendable {
    public var id: String
    public var name: String?
    public var slug: String?

    enum CodingKeys: String, CodingKey { case id, name, slug }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
    }
}

/// A product's customer (`GET /v1/products/:p/customers`).
public struct Customer: Codable, Equatable, Sendable {
    public var id: String?
    public var username: String
    public var fullName: String?
    public var devices: [String]?

    enum CodingKeys: String, CodingKey {
        case id, username, devices
        case fullName = "full_name"
    }
}
