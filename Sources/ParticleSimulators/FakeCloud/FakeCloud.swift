import Foundation

/// The fake Particle cloud's logic: state, authentication, scopes, faults and the event hub. The HTTP server
/// (`FakeCloudServer`) hands every request to `handle(_:)`.
public actor FakeCloud {
    var data: FakeCloudData
    public internal(set) var faults: FakeCloudFaults
    var requests: [RecordedRequest] = []
    /// Outstanding MFA tokens → username.
    var mfaTokens: [String: String] = [:]
    /// Times of recent `/oauth/token` calls, for the 100-per-5-minutes limit.
    var oauthCalls: [Date] = []
    var subscribers: [UUID: FakeSubscriber] = [:]
    /// The end of the current rate-limit window (`rateLimitWindowMilliseconds` after a 429 of the burst).
    var rateLimitedUntil: Date?
    /// Seconds between keep-alive comments on event streams.
    public let keepAliveInterval: Double

    public init(data: FakeCloudData, faults: FakeCloudFaults = FakeCloudFaults(), keepAliveInterval: Double = 9) {
        self.data = data
        self.faults = faults
        self.keepAliveInterval = keepAliveInterval
    }

    /// The state as JSON (what the state file holds).
    public func snapshot() -> FakeCloudData { data }

    public func recordedRequests() -> [RecordedRequest] { requests }

    public func clearRecordedRequests() { requests.removeAll() }

    public func setFaults(_ faults: FakeCloudFaults) { self.faults = faults }

    /// Answers one request: simulator endpoints, then faults, then the API.
    public func handle(_ request: FakeRequest) async -> FakeReply {
        let segments = request.segments
        if segments.first == "_sim" { return await simulator(request, Array(segments.dropFirst())) }
        if faults.latencyMilliseconds > 0 {
            try? await Task.sleep(nanoseconds: UInt64(faults.latencyMilliseconds) * 1_000_000)
        }
        let reply: FakeReply
        if let until = rateLimitedUntil, Date() < until {
            reply = .text(429, "Too Many Requests", headers: faults.retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        } else if faults.rateLimits > 0 {
            faults.rateLimits -= 1
            if faults.rateLimitWindowMilliseconds > 0 {
                rateLimitedUntil = Date().addingTimeInterval(Double(faults.rateLimitWindowMilliseconds) / 1000)
            }
            reply = .text(429, "Too Many Requests", headers: faults.retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        } else if faults.serverErrors > 0,
                  faults.serverErrorPath.map({ request.path.hasPrefix($0) }) ?? true {
            faults.serverErrors -= 1
            reply = .text(faults.serverErrorStatus, "Service Unavailable")
        } else if faults.streamErrors > 0, request.method == "GET", segments.contains("events") {
            faults.streamErrors -= 1
            reply = .text(503, "Service Unavailable")
        } else {
            reply = bodyFault(route(request, segments))
        }
        record(request, status: reply.status)
        return reply
    }

    /// The body faults: a complete reply turned into one that stalls, or one too large to read.
    private func bodyFault(_ reply: FakeReply) -> FakeReply {
        guard case .reply(let status, let headers, let body) = reply else { return reply }
        if faults.stallBodies > 0 {
            faults.stallBodies -= 1
            return .stalledBody(status: status, headers: headers, prefix: Array(body.prefix(max(1, body.count / 2))))
        }
        if faults.malformedReplies > 0 {
            faults.malformedReplies -= 1
            return .reply(status: status, headers: ["Content-Type": "text/html"], body: Array("<html>not the API</html>".utf8))
        }
        if faults.oversizedReplies > 0 {
            faults.oversizedReplies -= 1
            // Valid JSON (an array of zeros) so only its size is wrong.
            var big = [UInt8](repeating: UInt8(ascii: ","), count: FakeCloudFaults.oversizedReplyBytes)
            for index in stride(from: 1, to: big.count - 1, by: 2) { big[index] = UInt8(ascii: "0") }
            big[0] = UInt8(ascii: "[")
            big[big.count - 1] = UInt8(ascii: "]")
            return .reply(status: status, headers: ["Content-Type": "application/json"], body: big)
        }
        return reply
    }

    private func record(_ request: FakeRequest, status: Int) {
        requests.append(RecordedRequest(
            method: request.method, path: request.path, query: request.rawQuery,
            contentType: request.headers["content-type"], authorization: request.headers["authorization"],
            body: String(decoding: request.body, as: UTF8.self), status: status))
        // A long demo run keeps only the most recent requests.
        if requests.count > Self.maximumRecordedRequests { requests.removeFirst(requests.count - Self.maximumRecordedRequests) }
    }

    static let maximumRecordedRequests = 10_000

    // MARK: Routing

    private func route(_ request: FakeRequest, _ segments: [String]) -> FakeReply {
        let method = request.method
        if segments == ["oauth", "token"] { return oauthToken(request) }
        guard segments.first == "v1", segments.count >= 2 else { return FakeErrors.notFound("Not found") }
        if method == "POST", segments.count == 4, segments[1] == "products", segments[3] == "customers",
           request.headers["authorization"]?.hasPrefix("Basic ") == true || request.fields.values["client_id"] != nil {
            // Two-legged customer creation with the product's OAuth client instead of a token.
            guard let product = product(segments[2]) else { return FakeErrors.notFound("Product \(segments[2]) not found") }
            guard let client = clientCredentials(request, request.fields.values), product.clients.contains(client) else {
                return FakeErrors.oauth(400, "invalid_client", "Client credentials are invalid")
            }
            return createCustomer(request, product: product)
        }
        if request.query["access_token"] != nil {
            return FakeErrors.oauth(400, "invalid_request", "Send the access token in the Authorization header")
        }
        let auth = authenticate(request)
        guard case .success(let caller) = auth else {
            if case .failure(let failure) = auth { return failure.reply }
            return FakeErrors.invalidToken
        }
        let rest = Array(segments.dropFirst())
        switch (method, rest[0]) {
        case (_, "access_tokens"): return accessTokens(request, caller, Array(rest.dropFirst()))
        case ("GET", "user") where rest.count == 1: return user(caller)
        case ("GET", "user") where rest == ["user", "products"]: return productList(caller)
        case (_, "devices"): return devices(request, caller, Array(rest.dropFirst()))
        case ("POST", "device_claims") where rest.count == 1: return createClaimCode(request, caller, product: nil)
        case ("POST", "binaries") where rest.count == 1: return compileBinary(request)
        case ("GET", "binaries") where rest.count == 2: return downloadBinary(rest[1])
        case (_, "products"): return products(request, caller, Array(rest.dropFirst()))
        case (_, "orgs"): return orgs(request, caller, Array(rest.dropFirst()))
        case ("GET", "events") where rest.count >= 2:
            return subscribe(caller, .mine, prefix: rest.dropFirst().joined(separator: "/"))
        case ("GET", "events"):
            return FakeErrors.badRequest("event prefix filter is required")
        default: return FakeErrors.notFound("Not found")
        }
    }

    // MARK: Authentication

    /// Who is calling.
    enum Caller {
        case user(String, FakeToken)
        case product(Int, FakeToken)
        case customer(String, product: Int, FakeToken)
        case apiUser(String, FakeToken)

        var token: FakeToken {
            switch self {
            case .user(_, let token), .product(_, let token), .customer(_, _, let token), .apiUser(_, let token): token
            }
        }
    }

    struct Failure: Error { var reply: FakeReply }

    private func authenticate(_ request: FakeRequest) -> Result<Caller, Failure> {
        guard let header = request.headers["authorization"] else { return .failure(Failure(reply: FakeErrors.tokenNotFound)) }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0] == "Bearer" else { return .failure(Failure(reply: FakeErrors.malformedHeader)) }
        let value = String(parts[1])
        guard let token = data.tokens.first(where: { $0.token == value }) else {
            return .failure(Failure(reply: FakeErrors.invalidToken))
        }
        if let expiry = token.expiresAt.flatMap(FakeClock.parse), expiry < Date() {
            return .failure(Failure(reply: FakeErrors.expiredToken))
        }
        switch token.kind {
        case .user: return .success(.user(token.username ?? "", token))
        case .product: return .success(.product(token.productID ?? 0, token))
        case .customer: return .success(.customer(token.username ?? "", product: token.productID ?? 0, token))
        case .apiUser: return .success(.apiUser(token.username ?? "", token))
        }
    }

    /// API users may only call product/organization endpoints within their scopes.
    func allows(_ caller: Caller, scope: String, product: FakeProduct?) -> Bool {
        guard case .apiUser(_, let token) = caller else { return true }
        guard let product else { return false }
        let inOwner = token.productID == product.id
            || (token.organization != nil && token.organization == product.organization)
        return inOwner && (token.scopes ?? []).contains(scope)
    }

    // MARK: Token issuing

    func issueToken(kind: FakeToken.Kind, username: String?, productID: Int? = nil, organization: String? = nil,
                    scopes: [String]? = nil, expiresIn: Int?, client: String) -> FakeToken {
        let seconds = expiresIn ?? 7_776_000
        let token = FakeToken(token: FakeRandom.hex(40), kind: kind, username: username, productID: productID,
                              organization: organization, scopes: scopes,
                              expiresAt: seconds > 0 ? FakeClock.format(Date().addingTimeInterval(Double(seconds))) : nil,
                              client: client)
        data.tokens.append(token)
        return token
    }

    func tokenBody(_ token: FakeToken, expiresIn: Int?) -> [String: Any] {
        let seconds = expiresIn ?? 7_776_000
        var body: [String: Any] = ["token_type": "bearer", "access_token": token.token, "expires_in": seconds]
        if seconds > 0 { body["refresh_token"] = FakeRandom.hex(40) }
        return body
    }

    func product(_ reference: String) -> FakeProduct? {
        data.products.first { String($0.id) == reference || $0.slug == reference }
    }

    func isTeamMember(_ username: String, of product: FakeProduct) -> Bool {
        if product.team.contains(where: { $0.username == username && !$0.isProgrammatic }) { return true }
        guard let org = product.organization else { return false }
        return data.organizations.first { $0.id == org || $0.slug == org }?.team.contains { $0.username == username } ?? false
    }
}

/// ISO 8601 with milliseconds, as the API writes times.
enum FakeClock {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static var now: String { format(Date()) }
}

enum FakeRandom {
    static func hex(_ count: Int) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    static func from(_ alphabet: String, _ count: Int) -> String {
        String((0..<count).map { _ in alphabet.randomElement() ?? "a" })
    }
}
