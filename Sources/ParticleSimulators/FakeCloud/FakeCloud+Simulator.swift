import ParticleCore
import Foundation

extension FakeCloud {
    /// Simulator-only endpoints under `/_sim/` (no authentication; loopback only):
    ///
    /// - `POST /_sim/devices/:id/online` (JSON or form: `platform_id`, optional `claim_code`, optional `name`):
    ///   the device joined Wi-Fi and connected. Unknown devices are created. A known claim code claims the device
    ///   to the code's owner (a user, or a product's customer, which also adds it to the product), the code is
    ///   used up, and `spark/status` `online` is published. Reply: the device's JSON.
    /// - `POST /_sim/devices/:id/offline`: publishes `spark/status` `offline`.
    /// - `GET`/`POST /_sim/faults`: read / replace the fault settings (JSON, see `FakeCloudFaults`).
    /// - `POST /_sim/drop-streams`: closes every open event stream.
    /// - `GET /_sim/requests`, `DELETE /_sim/requests`: the recorded API requests.
    /// - `GET /_sim/state`: the whole state.
    func simulator(_ request: FakeRequest, _ rest: [String]) async -> FakeReply {
        switch (request.method, rest.first ?? "") {
        case ("POST", "devices") where rest.count == 3 && rest[2] == "online":
            return deviceOnline(rest[1].lowercased(), request.fields.values)
        case ("POST", "devices") where rest.count == 3 && rest[2] == "offline":
            guard let index = data.devices.firstIndex(where: { $0.id == rest[1].lowercased() }) else {
                return FakeErrors.notFound("Device \(rest[1]) not found")
            }
            data.devices[index].online = false
            let device = data.devices[index]
            publishEvent(FakeEvent(name: "spark/status", data: "offline", coreID: device.id, owner: device.owner,
                                   productID: device.productID, isPrivate: true))
            return .json(200, deviceJSON(device))
        case ("GET", "faults"):
            return encoded(faults)
        case ("POST", "faults"):
            guard let new = try? JSONDecoder().decode(FakeCloudFaults.self, from: Data(request.body)) else {
                return FakeErrors.badRequest("faults must be a JSON object (latency_ms, server_errors, rate_limits, retry_after, oauth_limit)")
            }
            faults = new
            return encoded(faults)
        case ("POST", "drop-streams"):
            let count = subscribers.count
            dropStreams()
            return .json(200, ["ok": true, "dropped": count])
        case ("GET", "requests"):
            return encoded(requests)
        case ("DELETE", "requests"):
            requests.removeAll()
            return .json(200, ["ok": true])
        case ("GET", "state"):
            return encoded(data)
        default:
            return FakeErrors.notFound("Unknown simulator endpoint")
        }
    }

    /// A simulated device reports "device <id> (platform <n>) joined Wi-Fi with claim code <c>".
    public func deviceCameOnline(id: String, platformID: Int?, claimCode: String?, name: String? = nil) -> FakeDevice? {
        guard DeviceID.isValid(id) else { return nil }
        let index: Int
        if let existing = data.devices.firstIndex(where: { $0.id == id }) {
            index = existing
        } else {
            data.devices.append(FakeDevice(id: id, name: name ?? "device_\(id.suffix(6))", platformID: platformID ?? 6,
                                           owner: nil, productID: nil, online: false, notes: nil,
                                           functions: ["setColor"], variables: ["sensor": .int(Int.random(in: 0..<4096))],
                                           serialNumber: nil, lastHeard: nil))
            index = data.devices.count - 1
        }
        if let platformID { data.devices[index].platformID = platformID }
        if let code = claimCode, let claim = data.claimCodes.firstIndex(where: { $0.code == code }) {
            let owner = data.claimCodes[claim]
            data.claimCodes.remove(at: claim)
            data.devices[index].owner = owner.owner
            if let product = owner.productID { data.devices[index].productID = product }
        }
        data.devices[index].online = true
        data.devices[index].lastHeard = FakeClock.now
        let device = data.devices[index]
        publishEvent(FakeEvent(name: "spark/status", data: "online", coreID: device.id, owner: device.owner,
                               productID: device.productID, isPrivate: true))
        return device
    }

    /// Issues a non-expiring token for `username` (a seeded user), as a simulator hands out to a rehearsal: the
    /// station under test uses it through `PARTICLE_AUTH`. Nil when there is no such user.
    public func issueSimulatorToken(username: String) -> String? {
        guard data.users.contains(where: { $0.username == username }) else { return nil }
        return issueToken(kind: .user, username: username, expiresIn: 0, client: "particlectl-sim").token
    }

    private func deviceOnline(_ id: String, _ fields: [String: String]) -> FakeReply {
        let platform = fields["platform_id"].flatMap { Int($0) }
        guard let device = deviceCameOnline(id: id, platformID: platform, claimCode: fields["claim_code"], name: fields["name"])
        else { return FakeErrors.badRequest("device id must be 24 hex digits") }
        return .json(200, deviceJSON(device))
    }

    private func encoded<T: Encodable>(_ value: T) -> FakeReply {
        let body = (try? JSONOutput.encode(value)) ?? Array("null".utf8)
        return .reply(status: 200, headers: ["Content-Type": "application/json"], body: body)
    }
}
