import ParticleCore

/// Whose team: a product's or an organization's.
public enum TeamOwner: Sendable, Equatable {
    case product(String)
    case organization(String)

    var path: String {
        switch self {
        case .product(let product): "/v1/products/\(CloudRequest.segment(product))/team"
        case .organization(let org): "/v1/orgs/\(CloudRequest.segment(org))/team"
        }
    }
}

/// A product's or organization's team, and its API users (non-expiring, scoped tokens for back-ends).
public struct TeamAPI: Sendable {
    let transport: CloudTransport
    public let owner: TeamOwner

    private struct Body: Encodable {
        var friendlyName: String
        var scopes: [String]
        enum CodingKeys: String, CodingKey {
            case friendlyName = "friendly_name"
            case scopes
        }
    }

    private struct CreatedReply: Decodable {
        var created: APIUserCredentials?
        var updated: APIUserCredentials?
    }

    private struct TeamList: Decodable { var team: [TeamMember] }

    /// True for scope names shaped like `devices:list` or `devices.function:call`.
    public static func isValidScope(_ scope: String) -> Bool {
        let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let resource = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        func word(_ text: Substring) -> Bool {
            !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
        }
        return resource.allSatisfy(word) && word(parts[1])
    }

    /// Throws a usage error naming the first malformed scope.
    public static func validate(scopes: [String]) throws {
        guard !scopes.isEmpty else { throw MissingCloudInput(.scope) }
        if let bad = scopes.first(where: { !isValidScope($0) }) {
            throw UserError(.usage, "'\(bad)' is not a scope name (like devices:list or devices.function:call)")
        }
    }

    /// `POST …/team` `{"friendly_name":…,"scopes":[…]}`: creates an API user; its token is in the reply, once.
    public func createAPIUser(name: String, scopes: [String]) async throws -> APIUserCredentials {
        try Self.validate(scopes: scopes)
        let reply = try await transport.send(
            CloudRequest(.post, owner.path, body: CloudRequest.jsonBody(Body(friendlyName: name, scopes: scopes))),
            as: CreatedReply.self)
        guard let created = reply.created ?? reply.updated else { throw CloudError.badReply("no created API user") }
        return created
    }

    /// `GET …/team`: every member; API users have `isProgrammatic == true`.
    public func list() async throws -> [TeamMember] {
        try await transport.send(CloudRequest(.get, owner.path), as: TeamList.self).team
    }

    /// `PUT …/team/:username`: new scopes (and name); returns the fresh token (the old one stops working).
    public func updateAPIUser(username: String, name: String?, scopes: [String]) async throws -> APIUserCredentials {
        try Self.validate(scopes: scopes)
        let body = Body(friendlyName: name ?? username.split(separator: "+").first.map(String.init) ?? username, scopes: scopes)
        let reply = try await transport.send(
            CloudRequest(.put, "\(owner.path)/\(CloudRequest.segment(username))", body: CloudRequest.jsonBody(body)),
            as: CreatedReply.self)
        guard let updated = reply.updated ?? reply.created else { throw CloudError.badReply("no updated API user") }
        return updated
    }

    /// `DELETE …/team/:username` (also revokes its token).
    public func delete(username: String) async throws {
        _ = try await transport.send(CloudRequest(.delete, "\(owner.path)/\(CloudRequest.segment(username))"))
    }
}
