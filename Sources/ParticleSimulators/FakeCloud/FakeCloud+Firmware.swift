import Foundation

/// Firmware in the fake cloud: `PUT /v1/devices/:id` with sources (flash), `POST /v1/binaries` (compile) and
/// `GET /v1/binaries/:id` (download).
///
/// The fake "compiles" by reading the sources: a `#error` line, or no `setup()`/`loop()`, fails like the real
/// compiler (400 with the log in `errors[0]`); otherwise the functions and variables the sources register with
/// `Particle.function("…")` / `Particle.variable("…")` become the device's after a flash, which runs through the
/// same events as on a real device: `spark/flash/status` `started ` then `success`, `spark/status` `offline`, then
/// `online`.
extension FakeCloud {
    /// What the fake compiler found in a set of sources.
    struct CompiledFirmware: Sendable {
        var functions: [String]
        var variables: [String]
        var sourceBytes: Int
    }

    static let flashStepDelay: Duration = .milliseconds(150)

    /// `PUT` with a multipart body on a device path: flash sources or a binary.
    func flash(_ request: FakeRequest, _ index: Int) -> FakeReply {
        let device = data.devices[index]
        guard let parts = FakeMultipart.parse(request) else {
            return FakeErrors.badRequest("Malformed multipart body")
        }
        let files = parts.filter { $0.name.range(of: #"^file\d*$"#, options: .regularExpression) != nil }
        guard !files.isEmpty else { return FakeErrors.badRequest("No files were sent") }
        guard device.online else {
            return .json(400, ["ok": false, "error": "Device is not connected.", "errors": ["Device is not connected."]])
        }
        let compiled: CompiledFirmware
        if files.count == 1, files[0].filename?.hasSuffix(".bin") == true {
            // A binary from `POST /v1/binaries`: its id names the functions it was built with.
            guard let decoded = Self.binaryManifest(files[0].data) else {
                return FakeErrors.badRequest("Not a firmware binary")
            }
            compiled = decoded
        } else {
            switch Self.compile(files) {
            case .failure(let rejection): return rejection.reply
            case .success(let result): compiled = result
            }
        }
        Task { await self.runFlash(deviceID: device.id, compiled) }
        return .json(200, ["ok": true, "message": "Update started"])
    }

    /// The device side of a flash, as events over time.
    func runFlash(deviceID: String, _ compiled: CompiledFirmware) async {
        func publish(_ name: String, _ value: String) {
            guard let device = data.devices.first(where: { $0.id == deviceID }) else { return }
            publishEvent(FakeEvent(name: name, data: value, coreID: device.id, owner: device.owner,
                                   productID: device.productID, isPrivate: true))
        }
        try? await Task.sleep(for: Self.flashStepDelay)
        publish("spark/flash/status", "started ")
        try? await Task.sleep(for: Self.flashStepDelay)
        publish("spark/flash/status", "success")
        if let index = data.devices.firstIndex(where: { $0.id == deviceID }) { data.devices[index].online = false }
        publish("spark/status", "offline")
        try? await Task.sleep(for: Self.flashStepDelay)
        guard let index = data.devices.firstIndex(where: { $0.id == deviceID }) else { return }
        data.devices[index].functions = compiled.functions
        var variables: [String: FakeVariable] = [:]
        for name in compiled.variables { variables[name] = .int(Int.random(in: 0...4095)) }
        data.devices[index].variables = variables
        data.devices[index].online = true
        data.devices[index].lastHeard = FakeClock.now
        publish("spark/status", "online")
    }

    /// `POST /v1/binaries`.
    func compileBinary(_ request: FakeRequest) -> FakeReply {
        guard let parts = FakeMultipart.parse(request) else { return FakeErrors.badRequest("Malformed multipart body") }
        let files = parts.filter { $0.name.range(of: #"^file\d*$"#, options: .regularExpression) != nil }
        guard !files.isEmpty else { return FakeErrors.badRequest("No files were sent") }
        let fields = Dictionary(parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) },
                                uniquingKeysWith: { first, _ in first })
        guard fields["platform_id"].flatMap(Int.init) != nil || fields["product_id"] != nil else {
            return FakeErrors.badRequest("platform_id or product_id is required")
        }
        switch Self.compile(files) {
        case .failure(let rejection):
            return rejection.reply
        case .success(let compiled):
            let id = Self.binaryID(compiled)
            let text = 4096 + compiled.sourceBytes * 3, dataSize = 112 + 8 * compiled.variables.count
            let bss = 1536 + 64 * compiled.functions.count
            return .json(200, [
                "ok": true, "binary_id": id, "binary_url": "/v1/binaries/\(id)",
                "build_target_version": fields["build_target_version"] ?? "6.3.2",
                "expires_at": FakeClock.format(Date().addingTimeInterval(86_400)),
                "sizeInfo": "   text\t   data\t    bss\t    dec\t    hex\tfilename\n" +
                    "  \(text)\t    \(dataSize)\t   \(bss)\t \(text + dataSize + bss)\t  \(String(text + dataSize + bss, radix: 16))\t/workspace/target/workspace.elf\n",
            ])
        }
    }

    /// `GET /v1/binaries/:id`: a stand-in binary that carries what it was built from, ending like a Particle module
    /// in the big-endian CRC-32 of what precedes it (so a simulated device's local update accepts it).
    func downloadBinary(_ id: String) -> FakeReply {
        guard let manifest = Self.manifest(fromBinaryID: id) else { return FakeErrors.notFound("Binary \(id) not found") }
        let body = Array("PARTICLECTL-FAKE-BINARY\n\(manifest)\n".utf8)
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        return .reply(status: 200, headers: ["Content-Type": "application/octet-stream"],
                      body: body + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
    }

    // MARK: The fake compiler

    static func compile(_ files: [FakeMultipart.Part]) -> Result<CompiledFirmware, CompileRejection> {
        var log: [String] = []
        var functions: [String] = [], variables: [String] = []
        var sawSetup = false, sawLoop = false, bytes = 0
        for file in files {
            let name = file.filename ?? "application.cpp"
            let text = String(decoding: file.data, as: UTF8.self)
            bytes += file.data.count
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#error") {
                    let message = trimmed.dropFirst("#error".count).trimmingCharacters(in: .whitespaces)
                    log.append("/\(name):\(number + 1):2: error: #error \(message)")
                }
                if trimmed.contains("void setup(") { sawSetup = true }
                if trimmed.contains("void loop(") { sawLoop = true }
                functions += captures(#"Particle\.function\("([^"]+)""#, in: String(line))
                variables += captures(#"Particle\.variable\("([^"]+)""#, in: String(line))
            }
        }
        if !sawSetup { log.append("/application.cpp: error: 'setup' was not declared in this scope") }
        if !sawLoop { log.append("/application.cpp: error: 'loop' was not declared in this scope") }
        guard log.isEmpty else {
            let full = (["make -C ../modules/user-part all"] + log + ["make: *** [all] Error 2"]).joined(separator: "\n")
            return .failure(CompileRejection(reply: .json(400, [
                "ok": false, "code": 400, "output": "Compiler timed out or encountered an error", "errors": [full],
            ])))
        }
        return .success(CompiledFirmware(functions: functions, variables: variables, sourceBytes: bytes))
    }

    struct CompileRejection: Error { var reply: FakeReply }

    static func captures(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Binary IDs are 24 hex digits that encode the compiled manifest's digest; the manifest text is kept inside the
    /// downloadable stand-in binary, which a binary flash reads back.
    static func binaryID(_ compiled: CompiledFirmware) -> String {
        let manifest = manifestText(compiled)
        var hash: UInt64 = 1469598103934665603
        for byte in manifest.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
        let hex = String(hash, radix: 16)
        let stem = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        FakeBinaryRegistry.shared.remember(id: "b1" + "000000" + stem, manifest: manifest)
        return "b1" + "000000" + stem
    }

    static func manifestText(_ compiled: CompiledFirmware) -> String {
        "functions=\(compiled.functions.joined(separator: ","));variables=\(compiled.variables.joined(separator: ","))"
    }

    static func manifest(fromBinaryID id: String) -> String? { FakeBinaryRegistry.shared.manifest(id: id) }

    static func binaryManifest(_ data: Data) -> CompiledFirmware? {
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("PARTICLECTL-FAKE-BINARY\n") else { return nil }
        let lines = text.dropFirst("PARTICLECTL-FAKE-BINARY\n".count).split(separator: "\n", omittingEmptySubsequences: false)
        let body = (lines.first.map(String.init) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) // not the CRC after it
        var functions: [String] = [], variables: [String] = []
        for field in body.split(separator: ";") {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            let values = pair.count == 2 ? pair[1].split(separator: ",").map(String.init) : []
            if pair.first == "functions" { functions = values }
            if pair.first == "variables" { variables = values }
        }
        return CompiledFirmware(functions: functions, variables: variables, sourceBytes: data.count)
    }
}

/// The binaries the fake compiled in this process, by ID.
final class FakeBinaryRegistry: @unchecked Sendable {
    static let shared = FakeBinaryRegistry()
    private let lock = NSLock()
    private var manifests: [String: String] = [:]

    func remember(id: String, manifest: String) {
        lock.lock(); defer { lock.unlock() }
        manifests[id] = manifest
    }

    func manifest(id: String) -> String? {
        lock.lock(); defer { lock.unlock() }
        return manifests[id]
    }
}

/// A minimal `multipart/form-data` reader for the fake cloud (the client side has its own encoder).
enum FakeMultipart {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var data: Data
    }

    static func parse(_ request: FakeRequest) -> [Part]? {
        guard let range = request.contentType.range(of: "boundary=") else { return nil }
        var boundary = String(request.headers["content-type"]?[range.upperBound...] ?? "")
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty else { return nil }
        let body = Data(request.body)
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return nil }
        cursor = first.upperBound
        while cursor < body.endIndex {
            // "--" after a delimiter ends the body.
            if body[cursor...].starts(with: Data("--".utf8)) { return parts }
            guard let headerEnd = body.range(of: Data("\r\n\r\n".utf8), in: cursor..<body.endIndex),
                  let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex)
            else { return nil }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            guard let name = parameter("name", in: headers) else { return nil }
            parts.append(Part(name: name, filename: parameter("filename", in: headers),
                              data: Data(body[headerEnd.upperBound..<next.lowerBound])))
            cursor = next.upperBound
        }
        return nil
    }

    static func parameter(_ key: String, in headers: String) -> String? {
        guard let range = headers.range(of: "; \(key)=\"") else { return nil }
        let rest = headers[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
