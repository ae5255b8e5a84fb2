import ParticleCore
import Foundation

extension FakeCloud {
    func productJSON(_ product: FakeProduct) -> [String: Any] {
        var json: [String: Any] = ["id": product.id, "name": product.name, "slug": product.slug,
                                   "platform_id": product.platformID, "description": "", "device_count":
                                       data.devices.filter { $0.productID == product.id }.count]
        if let org = product.organization { json["organization"] = org }
        return json
    }

    /// `GET /v1/user/products` and `GET /v1/products`.
    func productList(_ caller: Caller) -> FakeReply {
        guard case .user(let username, _) = caller else { return FakeErrors.outsideScope }
        let mine = data.products.filter { isTeamMember(username, of: $0) }
        return .json(200, ["products": mine.map(productJSON)])
    }

    /// `/v1/products…`.
    func products(_ request: FakeRequest, _ caller: Caller, _ rest: [String]) -> FakeReply {
        if rest.isEmpty { return request.method == "GET" ? productList(caller) : FakeErrors.notFound("Not found") }
        guard let product = product(rest[0]) else { return FakeErrors.notFound("Product \(rest[0]) not found") }
        // Who may use this product at all.
        switch caller {
        case .user(let username, _): if !isTeamMember(username, of: product) { return FakeErrors.forbidden }
        case .product(let id, _), .customer(_, let id, _): if id != product.id { return FakeErrors.forbidden }
        case .apiUser(_, let token):
            if token.productID != product.id && (token.organization == nil || token.organization != product.organization) {
                return FakeErrors.outsideScope
            }
        }
        if case .customer = caller, !(rest.count == 2 && rest[1] == "device_claims") {
            return FakeErrors.forbidden
        }
        func scoped(_ scope: String, _ body: () -> FakeReply) -> FakeReply {
            allows(caller, scope: scope, product: product) ? body() : FakeErrors.outsideScope
        }
        let sub = Array(rest.dropFirst())
        switch (request.method, sub.first ?? "") {
        case ("GET", "") where sub.isEmpty:
            return scoped("products:get") { .json(200, ["product": productJSON(product)]) }
        case (_, "devices"):
            return productDevices(request, caller, product, Array(sub.dropFirst()))
        case ("POST", "device_claims") where sub.count == 1:
            return createClaimCode(request, caller, product: product)
        case (_, "customers"):
            return customers(request, caller, product, Array(sub.dropFirst()))
        case ("GET", "events"):
            return scoped("events:get") { subscribe(caller, .product(product.id), prefix: sub.dropFirst().joined(separator: "/")) }
        case ("POST", "events") where sub.count == 1:
            return scoped("events:send") { publish(request, caller, product: product) }
        case (_, "team"):
            return team(request, caller, .product(product.id), Array(sub.dropFirst()))
        default:
            return FakeErrors.notFound("Not found")
        }
    }

    func productDevices(_ request: FakeRequest, _ caller: Caller, _ product: FakeProduct, _ rest: [String]) -> FakeReply {
        func scoped(_ scope: String, _ body: () -> FakeReply) -> FakeReply {
            allows(caller, scope: scope, product: product) ? body() : FakeErrors.outsideScope
        }
        if rest.isEmpty {
            switch request.method {
            case "GET":
                return scoped("devices:list") {
                    let members = data.devices.filter { $0.productID == product.id }
                    return .json(200, ["devices": members.map(deviceJSON), "customers": [], "meta": ["total_pages": 1]])
                }
            case "POST":
                return scoped("devices:import") { importDevice(request, product) }
            default:
                return FakeErrors.notFound("Not found")
            }
        }
        guard let index = data.devices.firstIndex(where: {
            $0.productID == product.id && ($0.id == rest[0].lowercased() || $0.name == rest[0])
        }) else { return FakeErrors.notFound("Device \(rest[0]) not found in product \(product.id)") }
        return deviceOperation(request, caller, index, Array(rest.dropFirst()), product: product)
    }

    /// `POST /v1/products/:p/devices` `id=…` (IDs only; serial numbers, IMEIs and files are not modelled).
    func importDevice(_ request: FakeRequest, _ product: FakeProduct) -> FakeReply {
        let id = (request.fields.values["id"] ?? "").lowercased()
        guard DeviceID.isValid(id) else {
            return .json(200, ["updated": 0, "nonmemberDeviceIds": [], "invalidDeviceIds": [id]])
        }
        if let index = data.devices.firstIndex(where: { $0.id == id }) {
            data.devices[index].productID = product.id
        } else {
            data.devices.append(FakeDevice(id: id, name: "device_" + id.suffix(6), platformID: product.platformID, owner: nil,
                                           productID: product.id, online: false, notes: nil, functions: [],
                                           variables: [:], serialNumber: nil, lastHeard: nil))
        }
        return .json(200, ["updated": 1, "nonmemberDeviceIds": [], "invalidDeviceIds": []])
    }

    /// `/v1/products/:p/customers`.
    func customers(_ request: FakeRequest, _ caller: Caller, _ product: FakeProduct, _ rest: [String]) -> FakeReply {
        switch (request.method, rest.count) {
        case ("GET", 0):
            guard allows(caller, scope: "customers:list", product: product) else { return FakeErrors.outsideScope }
            let list = data.customers.filter { $0.productID == product.id }
            let json: [[String: Any]] = list.map { customer in
                ["id": customer.id, "username": customer.username,
                 "devices": data.devices.filter { $0.owner == customer.username && $0.productID == product.id }.map(\.id)]
            }
            return .json(200, ["customers": json, "devices": [], "meta": ["total_pages": 1]])
        case ("POST", 0):
            guard allows(caller, scope: "customers:create", product: product) else { return FakeErrors.outsideScope }
            return createCustomer(request, product: product)
        default:
            return FakeErrors.notFound("Not found")
        }
    }

    /// `POST /v1/products/:p/customers` with the product's OAuth client (no bearer token): see `route`.
    func createCustomer(_ request: FakeRequest, product: FakeProduct) -> FakeReply {
        let fields = request.fields.values
        guard let email = fields["email"], !email.isEmpty else { return FakeErrors.badRequest("email is required") }
        let passwordless = ["true", "1"].contains(fields["no_password"] ?? "")
        guard passwordless || !(fields["password"] ?? "").isEmpty else {
            return FakeErrors.badRequest("password or no_password=true is required")
        }
        guard !data.customers.contains(where: { $0.username == email && $0.productID == product.id }) else {
            return FakeErrors.badRequest("Customer \(email) already exists")
        }
        data.customers.append(FakeCustomer(id: FakeRandom.hex(24), username: email, productID: product.id))
        let expiresIn = fields["expires_in"].flatMap { Int($0) }
        let token = issueToken(kind: .customer, username: email, productID: product.id, expiresIn: expiresIn,
                               client: product.clients.first?.id ?? "particle")
        return .json(201, tokenBody(token, expiresIn: expiresIn))
    }

    /// `/v1/orgs…`.
    func orgs(_ request: FakeRequest, _ caller: Caller, _ rest: [String]) -> FakeReply {
        if rest.isEmpty {
            guard case .user(let username, _) = caller else { return FakeErrors.outsideScope }
            let mine = data.organizations.filter { $0.team.contains { $0.username == username } }
            return .json(200, ["organizations": mine.map { ["id": $0.id, "name": $0.name, "slug": $0.slug] }])
        }
        guard let org = data.organizations.first(where: { $0.id == rest[0] || $0.slug == rest[0] }) else {
            return FakeErrors.notFound("Organization \(rest[0]) not found")
        }
        guard case .user(let username, _) = caller, org.team.contains(where: { $0.username == username }) else {
            return FakeErrors.forbidden
        }
        if rest.count >= 2, rest[1] == "team" { return team(request, caller, .organization(org.id), Array(rest.dropFirst(2))) }
        if rest.count == 2, rest[1] == "products", request.method == "GET" {
            return .json(200, ["products": data.products.filter { $0.organization == org.id }.map(productJSON)])
        }
        return FakeErrors.notFound("Not found")
    }

    enum TeamOwner { case product(Int), organization(String) }

    /// `/v1/products/:p/team` and `/v1/orgs/:o/team`: list members; create, update and delete API users.
    func team(_ request: FakeRequest, _ caller: Caller, _ owner: TeamOwner, _ rest: [String]) -> FakeReply {
        guard case .user = caller else { return FakeErrors.outsideScope }
        var members: [FakeTeamMember]
        switch owner {
        case .product(let id): members = data.products.first { $0.id == id }?.team ?? []
        case .organization(let id): members = data.organizations.first { $0.id == id }?.team ?? []
        }
        let reply: FakeReply
        switch (request.method, rest.count) {
        case ("GET", 0):
            let json: [[String: Any]] = members.map { member in
                var entry: [String: Any] = ["username": member.username]
                if member.isProgrammatic {
                    entry["is_programmatic"] = true
                    entry["friendly_name"] = member.friendlyName ?? ""
                    entry["scopes"] = member.scopes ?? []
                } else {
                    entry["role"] = ["id": "000000000000000000000001", "name": member.role ?? "Administrator"]
                }
                return entry
            }
            return .json(200, ["ok": true, "team": json])
        case ("POST", 0):
            let fields = request.fields
            guard let name = fields.values["friendly_name"], !name.isEmpty else {
                return FakeErrors.badRequest("friendly_name is required")
            }
            let scopes = fields.lists["scopes"] ?? []
            guard !scopes.isEmpty else { return FakeErrors.badRequest("scopes are required") }
            let slug = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
            let username = String(slug.prefix(30)) + "+" + FakeRandom.from("abcdefghijklmnopqrstuvwxyz0123456789", 10)
                + "@api.particle.io"
            members.append(FakeTeamMember(username: username, isProgrammatic: true, friendlyName: name, scopes: scopes,
                                          role: nil))
            let token = apiUserToken(username, owner, scopes)
            reply = .json(200, ["ok": true, "created": ["username": username, "is_programmatic": true,
                                                        "tokens": [["token": token.token]]]])
        case ("PUT", 1):
            guard let index = members.firstIndex(where: { $0.username == rest[0] && $0.isProgrammatic }) else {
                return FakeErrors.notFound("API user \(rest[0]) not found")
            }
            let fields = request.fields
            let scopes = fields.lists["scopes"] ?? members[index].scopes ?? []
            members[index].scopes = scopes
            if let name = fields.values["friendly_name"] { members[index].friendlyName = name }
            data.tokens.removeAll { $0.username == rest[0] }
            let token = apiUserToken(rest[0], owner, scopes)
            reply = .json(200, ["ok": true, "updated": ["username": rest[0], "is_programmatic": true,
                                                        "tokens": [["token": token.token]]]])
        case ("DELETE", 1):
            guard let index = members.firstIndex(where: { $0.username == rest[0] }) else {
                return FakeErrors.notFound("Team member \(rest[0]) not found")
            }
            members.remove(at: index)
            data.tokens.removeAll { $0.username == rest[0] && $0.kind == .apiUser }
            reply = .reply(status: 204, headers: [:], body: [])
        default:
            return FakeErrors.notFound("Not found")
        }
        switch owner {
        case .product(let id):
            if let index = data.products.firstIndex(where: { $0.id == id }) { data.products[index].team = members }
        case .organization(let id):
            if let index = data.organizations.firstIndex(where: { $0.id == id }) { data.organizations[index].team = members }
        }
        return reply
    }

    private func apiUserToken(_ username: String, _ owner: TeamOwner, _ scopes: [String]) -> FakeToken {
        switch owner {
        case .product(let id):
            issueToken(kind: .apiUser, username: username, productID: id, scopes: scopes, expiresIn: 0, client: "api-user")
        case .organization(let id):
            issueToken(kind: .apiUser, username: username, organization: id, scopes: scopes, expiresIn: 0, client: "api-user")
        }
    }
}
