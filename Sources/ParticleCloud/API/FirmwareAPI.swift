import Foundation
import ParticleCore

/// A firmware source file to upload: its name as the compiler sees it (may hold a relative path) and its bytes.
public struct FirmwareSourceFile: Sendable, Equatable {
    public var filename: String
    public var data: Data

    public init(filename: String, data: Data) {
        self.filename = filename
        self.data = data
    }
}

/// `{"ok":true,"message":"Update started"}` (source) or `{"id":…,"status":"Update started"}` (binary).
public struct FlashReply: Codable, Sendable, Equatable {
    public var ok: Bool?
    public var id: String?
    public var message: String?
    public var status: String?

    /// What the cloud said, whichever field it used.
    public var text: String { message ?? status ?? "Update started" }
}

/// A successful compile: the binary's ID and size report.
public struct CompileReply: Codable, Sendable, Equatable {
    public var ok: Bool?
    public var binaryID: String
    public var binaryURL: String?
    public var buildTargetVersion: String?
    public var expiresAt: String?
    /// `size` output: a header line and a values line (text, data, bss, dec, hex, filename).
    public var sizeInfo: String?

    enum CodingKeys: String, CodingKey {
        case ok
        case binaryID = "binary_id"
        case binaryURL = "binary_url"
        case buildTargetVersion = "build_target_version"
        case expiresAt = "expires_at"
        case sizeInfo
    }

    /// Flash = text + data, RAM = data + bss, from `sizeInfo`; nil when it is missing or malformed.
    public var memory: (flash: Int, ram: Int)? {
        guard let sizeInfo else { return nil }
        let lines = sizeInfo.split(whereSeparator: \.isNewline)
        guard lines.count >= 2 else { return nil }
        let values = lines[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
        guard values.count >= 3 else { return nil }
        return (values[0] + values[1], values[1] + values[2])
    }
}

/// The compiler's complaint: its log lines, from the `errors` of the error reply.
public struct CompileFailure: Error, Sendable, Equatable {
    public var lines: [String]
    public var status: Int?

    /// Reads a compile error reply; nil when the body is not one.
    public static func from(_ error: CloudError) -> CompileFailure? {
        guard let body = error.replyBody, error.status == 400 || error.status == 422 || error.status == 500,
              case let .complete(object, _) = JSONValue.parse(body),
              let errors = object["errors"]?.arrayValue
        else { return nil }
        let text = errors.compactMap(\.stringValue).joined(separator: "\n")
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        return lines.isEmpty ? nil : CompileFailure(lines: lines, status: error.status)
    }

    /// The lines that name an error (`file:line:col: error: …`), else all of them.
    public var errorLines: [String] {
        let errors = lines.filter { $0.contains("error:") }
        return errors.isEmpty ? lines : errors
    }
}

/// Compiling and flashing firmware through the cloud.
public struct FirmwareAPI: Sendable {
    let transport: CloudTransport
    /// Product ID or slug for the product variant of the flash call, or nil.
    public let product: String?

    /// `PUT /v1/devices/:idOrName` (or `/v1/products/:p/devices/:id`) with the sources as `file`, `file1`, …
    public func flash(_ device: DeviceReference, sources: [FirmwareSourceFile],
                      target: String? = nil) async throws -> FlashReply {
        let base = product.map { "/v1/products/\(CloudRequest.segment($0))/devices" } ?? "/v1/devices"
        let form = Self.sourceForm(sources, target: target, extra: [])
        return try await transport.send(
            CloudRequest(.put, "\(base)/\(device.segment)", body: .multipart(form), isIdempotent: false),
            as: FlashReply.self)
    }

    /// `POST /v1/binaries` for a platform: compiles without flashing.
    public func compile(sources: [FirmwareSourceFile], platformID: Int, target: String? = nil) async throws -> CompileReply {
        let form = Self.sourceForm(sources, target: target, extra: [("platform_id", String(platformID))])
        return try await transport.send(CloudRequest(.post, "/v1/binaries", body: .multipart(form)),
                                        as: CompileReply.self)
    }

    /// `GET /v1/binaries/:id`: the compiled binary's bytes.
    public func download(binaryID: String) async throws -> [UInt8] {
        try await transport.send(CloudRequest(.get, "/v1/binaries/\(CloudRequest.segment(binaryID))")).body
    }

    /// Parts `file`, `file1`, `file2` …, then `build_target_version` or `latest=true`.
    static func sourceForm(_ sources: [FirmwareSourceFile], target: String?, extra: [(String, String)]) -> MultipartForm {
        var form = MultipartForm()
        for (index, source) in sources.enumerated() {
            form.addFile(index == 0 ? "file" : "file\(index)", filename: source.filename,
                         contentType: "application/octet-stream", data: source.data)
        }
        for (name, value) in extra { form.addField(name, value) }
        if let target, target != "latest" {
            form.addField("build_target_version", target)
        } else {
            form.addField("latest", "true")
        }
        return form
    }
}

extension CloudClient {
    /// Compiling and flashing; with `product`, flashes through the product's device path.
    public func firmware(product: String? = nil) -> FirmwareAPI { FirmwareAPI(transport: transport, product: product) }
}
