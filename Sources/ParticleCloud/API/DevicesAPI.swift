import Foundation
import ParticleCore

/// Device calls: list, info, rename, notes, ping, variables, functions, claiming and product import.
/// With `product`, the product variant of each path (`/v1/products/:p/…`) is used where the API has one.
public struct DevicesAPI: Sendable {
    let transport: CloudTransport
    /// Product ID or slug, or nil for the user's own devices.
    public let product: String?

    /// How a function argument is sent.
    public enum ArgumentEncoding: Sendable { case json, form }

    private var base: String {
        product.map { "/v1/products/\(CloudRequest.segment($0))/devices" } ?? "/v1/devices"
    }

    /// `GET /v1/devices` (an array) or `GET /v1/products/:p/devices` (`{"devices":[…]}`, first page).
    public func list() async throws -> [Device] {
        if product == nil {
            return try await transport.send(CloudRequest(.get, base), as: [Device].self)
        }
        return try await transport.send(CloudRequest(.get, base, query: [FormField("perPage", "100")]),
                                        as: ProductDeviceList.self).devices
    }

    /// `GET /v1/devices/:idOrName`.
    public func info(_ device: DeviceReference) async throws -> Device {
        try await transport.send(CloudRequest(.get, "\(base)/\(device.segment)"), as: Device.self)
    }

    /// `PUT /v1/devices/:idOrName` `name=…`.
    public func rename(_ device: DeviceReference, to name: String) async throws -> DeviceUpdate {
        try await transport.send(CloudRequest(.put, "\(base)/\(device.segment)", body: .form([FormField("name", name)])),
                                 as: DeviceUpdate.self)
    }

    /// `PUT /v1/devices/:idOrName` `notes=…`.
    public func setNotes(_ device: DeviceReference, to notes: String) async throws -> DeviceUpdate {
        try await transport.send(CloudRequest(.put, "\(base)/\(device.segment)", body: .form([FormField("notes", notes)])),
                                 as: DeviceUpdate.self)
    }

    /// `PUT /v1/devices/:idOrName/ping`: whether the device answers now.
    public func ping(_ device: DeviceReference) async throws -> PingReply {
        try await transport.send(CloudRequest(.put, "\(base)/\(device.segment)/ping"), as: PingReply.self)
    }

    /// `GET /v1/devices/:idOrName/:variable`. 404 = unknown variable, 408 = device offline (never retried).
    public func variable(_ device: DeviceReference, _ name: String) async throws -> VariableReply {
        try await transport.send(CloudRequest(.get, "\(base)/\(device.segment)/\(CloudRequest.segment(name))"),
                                 as: VariableReply.self)
    }

    /// `POST /v1/devices/:idOrName/:function` with `arg` (JSON `{"arg":…}` or form `arg=…`).
    public func call(_ device: DeviceReference, _ function: String, argument: String = "",
                     encoding: ArgumentEncoding = .json) async throws -> FunctionReply {
        let body: CloudRequest.Body = switch encoding {
        case .json: CloudRequest.jsonBody(["arg": argument])
        case .form: .form([FormField("arg", argument)])
        }
        return try await transport.send(
            CloudRequest(.post, "\(base)/\(device.segment)/\(CloudRequest.segment(function))", body: body),
            as: FunctionReply.self)
    }

    /// `POST /v1/device_claims` (or `/v1/products/:p/device_claims` with a customer token): a claim code to hand
    /// to a device during setup; `iccid`/`imei` for cellular devices.
    public func claimCode(iccid: String? = nil, imei: String? = nil) async throws -> ClaimCode {
        var fields: [FormField] = []
        if let iccid { fields.append(FormField("iccid", iccid)) }
        if let imei { fields.append(FormField("imei", imei)) }
        let path = product.map { "/v1/products/\(CloudRequest.segment($0))/device_claims" } ?? "/v1/device_claims"
        return try await transport.send(CloudRequest(.post, path, body: .form(fields)), as: ClaimCode.self)
    }

    /// `POST /v1/devices` `id=…`: claims a device (by ID) to the token's user.
    public func claim(_ deviceID: String) async throws {
        _ = try await transport.send(CloudRequest(.post, "/v1/devices", body: .form([FormField("id", deviceID.lowercased())])))
    }

    /// `DELETE /v1/devices/:id`, or for a product `DELETE /v1/products/:p/devices/:id/owner`.
    public func unclaim(_ device: DeviceReference) async throws {
        let path = product == nil ? "\(base)/\(device.segment)" : "\(base)/\(device.segment)/owner"
        _ = try await transport.send(CloudRequest(.delete, path))
    }

    /// `POST /v1/products/:p/devices` `id=…`, once per device; the replies are summed. Needs `product`.
    public func importDevices(_ ids: [String]) async throws -> ImportReply {
        guard product != nil else {
            throw MissingCloudInput(.product)
        }
        var total = ImportReply(updated: 0, nonmemberDeviceIDs: [], invalidDeviceIDs: [])
        for id in ids {
            let reply = try await transport.send(
                CloudRequest(.post, base, body: .form([FormField("id", id)]), isIdempotent: true), as: ImportReply.self)
            total.updated += reply.updated
            total.nonmemberDeviceIDs?.append(contentsOf: reply.nonmemberDeviceIDs ?? [])
            total.invalidDeviceIDs?.append(contentsOf: reply.invalidDeviceIDs ?? [])
        }
        return total
    }
}
