/// A new access token from `POST /oauth/token` or customer creation. Its `description` never shows the token.
public struct TokenReply: Codable, Equatable, Sendable, CustomStringConvertible {
    public var tokenType: String?
    public var accessToken: String
    /// Seconds until it expires; 0 or absent = never.
    public var expiresIn: Int?
    public var refreshToken: String?
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case scope
    }

    public var description: String { "TokenReply(expiresIn: \(expiresIn.map(String.init) ?? "never"))" }
}

/// `GET /v1/access_tokens/current`.
public struct AccessTokenInfo: Codable, Equatable, Sendable {
    /// ISO 8601; nil = never expires.
    public var expiresAt: String?
    public var client: String?
    public var scopes: [String]?

    enum CodingKeys: String, CodingKey {
        case expiresAt = "expires_at"
        case client
        case clientID = "client_id"
        case scopes
    }

    public init(expiresAt: String?, client: String?, scopes: [String]?) {
        self.expiresAt = expiresAt
        self.client = client
        self.scopes = scopes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        expiresAt = try container.decodeIfPresent(String.self, forKey: .expiresAt)
        client = try container.decodeIfPresent(String.self, forKey: .client)
            ?? container.decodeIfPresent(String.self, forKey: .clientID)
        scopes = try? container.decodeIfPresent([String].self, forKey: .scopes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(client, forKey: .client)
        try container.encode(scopes ?? [], forKey: .scopes)
    }
}

/// `GET /v1/user`.
public struct UserInfo: Codable, Equatable, Sendable {
    public var username: String
}

/// A product's team member; API users have `isProgrammatic`.
public struct TeamMember: Codable, Equatable, Sendable {
    public struct Role: Codable, Equatable, Sendable {
        public var id: String?
        public var name: String?
    }
    public var username: String
    public var isProgrammatic: Bool?
    public var friendlyName: String?
    public var scopes: [String]?
    public var role: Role?

    enum CodingKeys: String, CodingKey {
        case username, scopes, role
        case isProgrammatic = "is_programmatic"
        case friendlyName = "friendly_name"
    }
}

/// An API user just created or updated: its username and its token (shown once).
public struct APIUserCredentials: Codable, Equatable, Sendable, CustomStringConvertible {
    public struct Token: Codable, Equatable, Sendable { public var token: String }
    public var username: String
    public var isProgrammatic: Bool?
    public var tokens: [Token]

    enum CodingKeys: String, CodingKey {
        case username, tokens
        case isProgrammatic = "is_programmatic"
    }

    /// The API user's token (the first one returned).
    public var token: String? { tokens.first?.token }

    public var description: String { "APIUserCredentials(username: \(username))" }
}
