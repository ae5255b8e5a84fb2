import Foundation
import Glibc
import ParticleCLISupport
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleProvisioning

/// What `flash --local` loads: a binary file as it is, or a firmware bundled with particlectl, which ships as source
/// and is compiled in the cloud for each device's platform and Device OS (the host needs the cloud for that; the
/// device needs neither Wi-Fi nor the cloud).
enum FlashLocalSource: Sendable {
    case file(path: String, image: [UInt8])
    case bundled(BundledFirmware)

    /// A bundled name first (as `firmware compile` and `provision --firmware` read it), then a file; neither: exit 2
    /// naming the bundled firmware.
    static func resolve(_ argument: String, fileExists: (String) -> Bool, read: (String) throws -> [UInt8]) throws -> FlashLocalSource {
        if let bundled = BundledFirmware.named(argument) { return .bundled(bundled) }
        guard fileExists(argument) else {
            throw UserError(.usage, "'\(argument)' is neither a file nor a bundled firmware (\(bundledNames)); "
                + "give a compiled binary or one of those names")
        }
        return .file(path: argument, image: try read(argument))
    }

    static var bundledNames: String { BundledFirmware.all.map(\.name).joined(separator: ", ") }

    var name: String {
        switch self {
        case .file(let path, _): path
        case .bundled(let firmware): firmware.name
        }
    }
}

/// Binaries compiled from a bundled firmware, kept on disk so that loading the same firmware into the next device of the
/// same platform and Device OS needs no cloud (and no login): `$XDG_CACHE_HOME/particlectl/firmware/` (else
/// `~/.cache/…`), one file per firmware, source, platform and Device OS. A changed source (another particlectl
/// release) is another file. Files are written whole (a temporary file renamed), so a crash leaves no half binary.
struct CompiledFirmwareCache: Sendable {
    let directory: String

    init(environment: [String: String]) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? "/tmp") + "/.cache")
        directory = base + "/particlectl/firmware"
    }

    /// `functionVar-1f2e…-p12-6.2.0.bin`: the name, a digest of the source (FNV-1a 64), the platform ID, the Device OS.
    func path(_ firmware: BundledFirmware, platformID: Int, systemVersion: String?) -> String {
        let version = (systemVersion ?? "default").map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return "\(directory)/\(prefix(firmware))p\(platformID)-\(String(version)).bin"
    }

    /// Whether any binary of this firmware (its current source) is cached, whatever the platform.
    func holdsAny(_ firmware: BundledFirmware) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasPrefix(prefix(firmware)) && $0.hasSuffix(".bin") }
    }

    func load(_ firmware: BundledFirmware, platformID: Int, systemVersion: String?) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(firmware, platformID: platformID, systemVersion: systemVersion)),
              !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    /// Stores the binary; a cache that cannot be written is only a slower next time (one line on stderr says so).
    func store(_ image: [UInt8], _ firmware: BundledFirmware, platformID: Int, systemVersion: String?) {
        let target = path(firmware, platformID: platformID, systemVersion: systemVersion)
        let temporary = target + ".\(getpid()).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(image).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            Terminal.writeError("particlectl: could not keep the compiled \(firmware.name) in \(directory); the next flash compiles it again")
        }
    }

    private func prefix(_ firmware: BundledFirmware) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in firmware.source.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digest = String(hash, radix: 16)
        return "\(firmware.name)-\(String(repeating: "0", count: 16 - digest.count))\(digest)-"
    }
}

/// Compiles a bundled firmware in the cloud, once per platform and Device OS version however many devices need it,
/// and keeps each binary in the ``CompiledFirmwareCache``: a binary found there needs no cloud and no login.
actor BundledFirmwareCompiler {
    let firmware: BundledFirmware
    /// The cloud to compile in, or why there is none (not logged in): thrown only when a binary is not cached.
    let cloud: Result<CloudConfiguration, any Error>
    let cache: CompiledFirmwareCache
    private var builds: [String: Task<[UInt8], any Error>] = [:]

    init(firmware: BundledFirmware, cloud: Result<CloudConfiguration, any Error>, cache: CompiledFirmwareCache) {
        self.firmware = firmware
        self.cloud = cloud
        self.cache = cache
    }

    /// Whether this firmware can be had at all before any device is touched: logged in, or some binary cached.
    func checkUsable() throws {
        if case .failure(let error) = cloud, !cache.holdsAny(firmware) { throw error }
    }

    /// Whether the binary for this platform and Device OS is cached (no cloud needed).
    func isCached(platformID: Int, systemVersion: String?) -> Bool {
        cache.load(firmware, platformID: platformID, systemVersion: systemVersion) != nil
    }

    /// The binary for `platformID`, built against `systemVersion` when known (else the cloud's default): from the
    /// cache, else compiled in the cloud and cached.
    func binary(platformID: Int, systemVersion: String?) async throws -> [UInt8] {
        if let cached = cache.load(firmware, platformID: platformID, systemVersion: systemVersion) { return cached }
        let key = "\(platformID)/\(systemVersion ?? "")"
        if let build = builds[key] { return try await build.value }
        let configuration = try cloud.get()
        let sources = [FirmwareSourceFile(filename: firmware.fileName, data: Data(firmware.source.utf8))]
        let (firmware, cache) = (firmware, cache)
        let build = Task {
            do {
                let image = try await CloudClient.with(configuration) { client in
                    let api = client.firmware()
                    let reply = try await api.compile(sources: sources, platformID: platformID, target: systemVersion)
                    return try await api.download(binaryID: reply.binaryID)
                }
                cache.store(image, firmware, platformID: platformID, systemVersion: systemVersion)
                return image
            } catch let error as CloudError {
                if let failure = CompileFailure.from(error) { throw CompileError(lines: failure.errorLines) }
                throw error.inCommandLineWords
            }
        }
        builds[key] = build
        return try await build.value
    }
}
