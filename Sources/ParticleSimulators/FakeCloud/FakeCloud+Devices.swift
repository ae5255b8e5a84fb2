import Foundation

extension FakeCloud {
    /// `/v1/devices…` (the caller's own devices).
    func devices(_ request: FakeRequest, _ caller: Caller, _ rest: [String]) -> FakeReply {
        let owner: String
        switch caller {
        case .user(let username, _): owner = username
        case .customer(let email, _, _): owner = email
        case .apiUser: return FakeErrors.outsideScope
        case .product: return FakeErrors.forbidden
        }
        if rest.isEmpty {
            switch request.method {
            case "GET":
                let mine = data.devices.filter { $0.owner == owner }
                    .sorted { ($0.lastHeard ?? "") > ($1.lastHeard ?? "") }
                return .json(200, mine.map { deviceJSON($0) })
            case "POST":
                return claim(request, owner: owner)
            default:
                return FakeErrors.notFound("Not found")
            }
        }
        if rest[0] == "events" {
            switch request.method {
            case "GET": return subscribe(caller, .mine, prefix: rest.dropFirst().joined(separator: "/"))
            case "POST": return publish(request, caller, product: nil)
            default: return FakeErrors.notFound("Not found")
            }
        }
        guard let index = data.devices.firstIndex(where: { ($0.id == rest[0].lowercased() || $0.name == rest[0]) && $0.owner == owner })
        else { return FakeErrors.permissionDenied }
        return deviceOperation(request, caller, index, Array(rest.dropFirst()), product: nil)
    }

    /// One device's endpoints, shared by `/v1/devices/:id…` and `/v1/products/:p/devices/:id…`.
    func deviceOperation(_ request: FakeRequest, _ caller: Caller, _ index: Int, _ sub: [String],
                         product: FakeProduct?) -> FakeReply {
        func scoped(_ scope: String, _ body: () -> FakeReply) -> FakeReply {
            allows(caller, scope: scope, product: product) ? body() : FakeErrors.outsideScope
        }
        let device = data.devices[index]
        switch (request.method, sub.count) {
        case ("GET", 0):
            return scoped("devices:get") { .json(200, deviceJSON(device)) }
        case ("PUT", 0) where request.contentType.hasPrefix("multipart/form-data"):
            return scoped("devices:update") { flash(request, index) }
        case ("PUT", 0):
            return scoped("devices:update") {
                let fields = request.fields.values
                var reply: [String: Any] = ["id": device.id, "updated_at": FakeClock.now]
                if let name = fields["name"] {
                    guard !name.isEmpty, name.count <= 63 else { return FakeErrors.badRequest("Invalid device name") }
                    if data.devices.contains(where: { $0.name == name && $0.id != device.id && $0.owner == device.owner }) {
                        return FakeErrors.badRequest("Name \(name) is already in use")
                    }
                    data.devices[index].name = name
                    reply["name"] = name
                }
                if let notes = fields["notes"] {
                    data.devices[index].notes = notes
                    reply["notes"] = notes
                }
                if reply.count == 2 { return FakeErrors.badRequest("Nothing to update") }
                return .json(200, reply)
            }
        case ("DELETE", 0):
            if product != nil {
                return scoped("devices:remove") {
                    data.devices[index].productID = nil
                    return .reply(status: 204, headers: [:], body: [])
                }
            }
            data.devices[index].owner = nil
            return .json(200, ["ok": true])
        case ("DELETE", 1) where sub[0] == "owner" && product != nil:
            return scoped("devices:update") {
                data.devices[index].owner = nil
                return .json(200, ["ok": true])
            }
        case ("PUT", 1) where sub[0] == "ping":
            return scoped("devices:ping") { .json(200, ["online": device.online, "ok": true]) }
        case ("GET", _) where sub[0] == "events":
            return scoped("events:get") { subscribe(caller, .device(device.id), prefix: sub.dropFirst().joined(separator: "/")) }
        case ("GET", 1):
            return scoped("devices.variable:get") { variable(device, sub[0], raw: request.query["format"] == "raw") }
        case ("POST", 1):
            return scoped("devices.function:call") { call(request, index, sub[0]) }
        default:
            return FakeErrors.notFound("Not found")
        }
    }

    func deviceJSON(_ device: FakeDevice) -> [String: Any] {
        var json: [String: Any] = [
            "id": device.id,
            "name": device.name,
            "online": device.online,
            "connected": device.online,
            "platform_id": device.platformID,
            "product_id": device.productID ?? device.platformID,
            "cellular": false,
            "status": "normal",
            "functions": device.online ? device.functions : [],
            "variables": device.online ? device.variables.mapValues(\.typeName) : [:],
            "last_heard": device.lastHeard.map { $0 as Any } ?? NSNull(),
            "last_handshake_at": device.lastHeard.map { $0 as Any } ?? NSNull(),
            "last_ip_address": "127.0.0.1",
            "notes": device.notes.map { $0 as Any } ?? NSNull(),
            "system_firmware_version": "5.8.0",
        ]
        if let owner = device.owner { json["owner"] = owner }
        if let serial = device.serialNumber { json["serial_number"] = serial }
        return json
    }

    func variable(_ device: FakeDevice, _ name: String, raw: Bool) -> FakeReply {
        guard device.online else { return FakeErrors.timedOut }
        guard let value = device.variables[name] else { return FakeErrors.notFound("Unknown Variable: \(name)") }
        if raw { return .text(200, "\(value.json)") }
        return .json(200, [
            "name": name,
            "result": value.json,
            "coreInfo": ["name": device.name, "deviceID": device.id, "connected": true,
                         "last_handshake_at": device.lastHeard ?? FakeClock.now],
        ])
    }

    /// Runs a function the way the bundled firmware does: `setColor` answers 1 for "r,g,b" and 0 otherwise;
    /// `publishEvent` publishes its argument as an event name and answers 0; any other function answers 1.
    func call(_ request: FakeRequest, _ index: Int, _ function: String) -> FakeReply {
        let device = data.devices[index]
        guard device.online else { return FakeErrors.timedOut }
        guard device.functions.contains(function) else {
            return FakeErrors.notFound("Function \(function) not found")
        }
        let fields = request.fields.values
        let argument = fields["arg"] ?? fields["args"] ?? ""
        guard argument.count <= 622 else { return FakeErrors.badRequest("Argument too long") }
        let result: Int
        switch function {
        case "setColor":
            result = Self.threeIntegers(argument) ? 1 : 0
        case "publishEvent":
            publishEvent(FakeEvent(name: argument, data: "", coreID: device.id, owner: device.owner,
                                   productID: device.productID, isPrivate: true))
            result = 0
        default:
            result = 1
        }
        data.devices[index].lastHeard = FakeClock.now
        if request.query["format"] == "raw" || fields["format"] == "raw" { return .text(200, String(result)) }
        return .json(200, ["id": device.id, "name": device.name, "connected": true, "return_value": result])
    }

    /// `sscanf(arg, "%d,%d,%d") == 3`.
    static func threeIntegers(_ text: String) -> Bool {
        var rest = Substring(text)
        for position in 0..<3 {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
            var digits = ""
            if let sign = rest.first, sign == "-" || sign == "+" {
                digits.append(sign)
                rest = rest.dropFirst()
            }
            let number = rest.prefix { $0.isASCII && $0.isNumber }
            guard !number.isEmpty else { return false }
            digits += number
            rest = rest.dropFirst(number.count)
            if position < 2 {
                guard rest.first == "," else { return false }
                rest = rest.dropFirst()
            }
        }
        return true
    }

    /// `POST /v1/devices` `id=…`.
    func claim(_ request: FakeRequest, owner: String) -> FakeReply {
        guard let id = request.fields.values["id"]?.lowercased(), !id.isEmpty else {
            return FakeErrors.badRequest("Missing device id")
        }
        guard let index = data.devices.firstIndex(where: { $0.id == id }) else {
            return .json(404, ["ok": false, "errors": ["Device \(id) is not known to the cloud"]])
        }
        if let current = data.devices[index].owner, current != owner {
            return .json(403, ["ok": false, "errors": ["That belongs to someone else."]])
        }
        data.devices[index].owner = owner
        return .json(200, ["ok": true, "user_id": owner, "id": id, "connected": data.devices[index].online])
    }

    /// `POST /v1/device_claims` and `POST /v1/products/:p/device_claims`.
    func createClaimCode(_ request: FakeRequest, _ caller: Caller, product: FakeProduct?) -> FakeReply {
        let owner: String
        switch caller {
        case .user(let username, _): owner = username
        case .customer(let email, let productID, _):
            guard product?.id == productID else { return FakeErrors.forbidden }
            owner = email
        case .apiUser: return FakeErrors.outsideScope
        case .product: return FakeErrors.badRequest("A customer or user token is required to create a claim code")
        }
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let code = FakeClaimCode(code: FakeRandom.from(alphabet, 63), owner: owner, productID: product?.id)
        data.claimCodes.append(code)
        let owned = data.devices.filter { $0.owner == owner }.map(\.id)
        return .json(200, ["claim_code": code.code, "device_ids": owned])
    }
}
