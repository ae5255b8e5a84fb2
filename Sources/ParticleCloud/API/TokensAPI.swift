/// Tokens: the password grant (with MFA), client credentials (product and customer tokens), inspection, revocation.
public struct TokensAPI: Sendable {
    let transport: CloudTransport

    /// The OAuth client particlectl logs in with ("any client ID will work").
    public static let defaultClientID = "particle"
    public static let defaultClientSecret = "particle"
    /// 90 days, the API's default.
    public static let defaultExpiresIn = 7_776_000

    /// `POST /oauth/token` `grant_type=password`. `expiresIn` 0 = never expires. On an MFA account this throws a
    /// `CloudError` of kind `.mfaRequired` whose `mfaToken` goes to `verifyOTP`.
    public func login(username: String, password: String, expiresIn: Int = TokensAPI.defaultExpiresIn) async throws -> TokenReply {
        try await transport.send(oauth([
            FormField("grant_type", "password"),
            FormField("username", username),
            FormField("password", password),
            FormField("expires_in", String(expiresIn)),
        ]), as: TokenReply.self)
    }

    /// `POST /oauth/token` `grant_type=urn:custom:mfa-otp`: the second step of an MFA login.
    public func verifyOTP(mfaToken: String, otp: String, expiresIn: Int = TokensAPI.defaultExpiresIn) async throws -> TokenReply {
        try await transport.send(oauth([
            FormField("grant_type", "urn:custom:mfa-otp"),
            FormField("mfa_token", mfaToken),
            FormField("otp", otp),
            FormField("expires_in", String(expiresIn)),
        ]), as: TokenReply.self)
    }

    /// `POST /oauth/token` `grant_type=client_credentials` with a product's OAuth client: a product bearer token, or
    /// with `customer` a token scoped to that customer (`scope=customer=EMAIL`).
    public func clientCredentials(clientID: String, secret: String, customer: String? = nil,
                                  expiresIn: Int? = nil) async throws -> TokenReply {
        var fields = [FormField("grant_type", "client_credentials")]
        if let customer { fields.append(FormField("scope", "customer=\(customer)")) }
        if let expiresIn { fields.append(FormField("expires_in", String(expiresIn))) }
        return try await transport.send(oauth(fields, clientID: clientID, secret: secret), as: TokenReply.self)
    }

    /// `GET /v1/access_tokens/current`: the bearer token's expiry, client and scopes.
    public func current() async throws -> AccessTokenInfo {
        try await transport.send(CloudRequest(.get, "/v1/access_tokens/current"), as: AccessTokenInfo.self)
    }

    /// `DELETE /v1/access_tokens/current`: revokes the bearer token itself.
    public func revokeCurrent() async throws {
        _ = try await transport.send(CloudRequest(.delete, "/v1/access_tokens/current"))
    }

    /// `DELETE /v1/access_tokens/:token` with the bearer token: revokes another token of the same user.
    public func revoke(token: String) async throws {
        _ = try await transport.send(CloudRequest(.delete, "/v1/access_tokens/" + CloudRequest.segment(token),
                                                  displayPath: "/v1/access_tokens/…"))
    }

    /// `GET /v1/user`.
    public func user() async throws -> UserInfo {
        try await transport.send(CloudRequest(.get, "/v1/user"), as: UserInfo.self)
    }

    private func oauth(_ fields: [FormField], clientID: String = TokensAPI.defaultClientID,
                       secret: String = TokensAPI.defaultClientSecret) -> CloudRequest {
        // Creating a token is not idempotent; a 429 is still retried (the policy allows it for every method).
        CloudRequest(.post, "/oauth/token", body: .form(fields), authentication: .basic(clientID: clientID, secret: secret))
    }
}
