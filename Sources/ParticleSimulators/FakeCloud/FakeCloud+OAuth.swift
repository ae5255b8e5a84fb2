import Foundation

extension FakeCloud {
    /// `POST /oauth/token`: password, MFA OTP and client-credentials grants.
    func oauthToken(_ request: FakeRequest) -> FakeReply {
        guard request.method == "POST", request.isForm else {
            return FakeErrors.oauth(400, "invalid_request", "Method must be POST with application/x-www-form-urlencoded encoding")
        }
        let now = Date()
        oauthCalls = oauthCalls.filter { now.timeIntervalSince($0) < 300 }
        guard oauthCalls.count < faults.oauthLimit else {
            return FakeErrors.oauth(429, "rate_limit_exceeded", "Too many requests; try again later")
        }
        oauthCalls.append(now)

        let fields = request.fields.values
        guard let client = clientCredentials(request, fields) else {
            return FakeErrors.oauth(400, "invalid_client", "Client credentials are invalid")
        }
        let expiresIn = fields["expires_in"].flatMap { Int($0) }
        switch fields["grant_type"] {
        case "password":
            guard let username = fields["username"], let password = fields["password"] else {
                return FakeErrors.oauth(400, "invalid_client", "Missing parameters: username and password are required")
            }
            guard let user = data.users.first(where: { $0.username == username && $0.password == password }) else {
                return FakeErrors.oauth(400, "invalid_grant", "User credentials are invalid")
            }
            if user.otp != nil {
                let mfaToken = "mfa." + FakeRandom.hex(32)
                mfaTokens[mfaToken] = user.username
                return FakeErrors.oauth(403, "mfa_required", "Multi-factor authentication required",
                                        extra: ["mfa_token": mfaToken])
            }
            let token = issueToken(kind: .user, username: user.username, expiresIn: expiresIn, client: client.id)
            return .json(200, tokenBody(token, expiresIn: expiresIn), headers: FakeErrors.oauthHeaders)
        case "urn:custom:mfa-otp":
            guard let mfaToken = fields["mfa_token"], let otp = fields["otp"], !otp.isEmpty else {
                return FakeErrors.oauth(400, "invalid_request", "You must provide otp and mfa token.")
            }
            guard let username = mfaTokens[mfaToken], let user = data.users.first(where: { $0.username == username }) else {
                return FakeErrors.oauth(400, "invalid_grant", "MFA token is invalid or expired")
            }
            guard user.otp == otp else { return FakeErrors.oauth(400, "invalid_grant", "Invalid OTP") }
            mfaTokens[mfaToken] = nil
            let token = issueToken(kind: .user, username: user.username, expiresIn: expiresIn, client: client.id)
            return .json(200, tokenBody(token, expiresIn: expiresIn), headers: FakeErrors.oauthHeaders)
        case "client_credentials":
            guard let product = data.products.first(where: { $0.clients.contains(client) }) else {
                return FakeErrors.oauth(400, "invalid_client", "Client credentials are invalid",
                                        extra: [:])
            }
            if let scope = fields["scope"] {
                guard scope.hasPrefix("customer=") else {
                    return FakeErrors.oauth(400, "invalid_scope", "Only customer=EMAIL scopes are supported")
                }
                let email = String(scope.dropFirst("customer=".count))
                guard data.customers.contains(where: { $0.username == email && $0.productID == product.id }) else {
                    return FakeErrors.oauth(400, "invalid_request", "Customer \(email) not found in this product")
                }
                let token = issueToken(kind: .customer, username: email, productID: product.id, expiresIn: expiresIn,
                                       client: client.id)
                return .json(200, tokenBody(token, expiresIn: expiresIn), headers: FakeErrors.oauthHeaders)
            }
            let token = issueToken(kind: .product, username: nil, productID: product.id, expiresIn: expiresIn, client: client.id)
            return .json(200, tokenBody(token, expiresIn: expiresIn), headers: FakeErrors.oauthHeaders)
        default:
            return FakeErrors.oauth(400, "unsupported_grant_type", "Invalid or missing grant_type parameter")
        }
    }

    /// HTTP Basic first, then body fields; the client ID must look like `^[a-z0-9-_]{3,40}$`.
    func clientCredentials(_ request: FakeRequest, _ fields: [String: String]) -> FakeClient? {
        var id = fields["client_id"]
        var secret = fields["client_secret"]
        if let header = request.headers["authorization"], header.hasPrefix("Basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
           let colon = decoded.firstIndex(of: ":") {
            id = String(decoded[..<colon])
            secret = String(decoded[decoded.index(after: colon)...])
        }
        guard let id, let secret, (3...40).contains(id.count),
              id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return FakeClient(id: id, secret: secret)
    }

    /// `/v1/access_tokens/current` (GET, DELETE) and `DELETE /v1/access_tokens/:token`.
    func accessTokens(_ request: FakeRequest, _ caller: Caller, _ rest: [String]) -> FakeReply {
        let token = caller.token
        switch (request.method, rest.count) {
        case ("GET", 1) where rest[0] == "current":
            return .json(200, [
                "expires_at": token.expiresAt.map { $0 as Any } ?? NSNull(),
                "client": token.client,
                "scopes": token.scopes ?? [],
                "orgs": [],
            ])
        case ("DELETE", 1) where rest[0] == "current":
            data.tokens.removeAll { $0.token == token.token }
            return .json(200, ["ok": true])
        case ("DELETE", 1):
            guard case .user(let username, _) = caller else { return FakeErrors.outsideScope }
            guard let index = data.tokens.firstIndex(where: { $0.token == rest[0] && $0.username == username }) else {
                return FakeErrors.notFound("Token not found")
            }
            data.tokens.remove(at: index)
            return .json(200, ["ok": true])
        default:
            return FakeErrors.notFound("Not found")
        }
    }

    /// `GET /v1/user`.
    func user(_ caller: Caller) -> FakeReply {
        switch caller {
        case .user(let username, _), .customer(let username, _, _):
            return .json(200, ["username": username, "subscription_ids": [], "account_info": [:]])
        case .product, .apiUser:
            return FakeErrors.outsideScope
        }
    }
}
