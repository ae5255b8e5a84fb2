import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial inspect`
struct SerialInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the platform and firmware modules of a device in listening mode.",
        discussion: """
            JSON: {"platform_id": 6, "platform": "photon", "modules": [{"function": "system", "index": "1", \
            "version": 20301, "location": "main", "max_size": 1572864, "valid": true, "dependencies": \
            [{"function": "bootloader", "index": "0", "version": 1200}]}]}, plus "imei"/"iccid" on cellular devices \
            and "hash" on user modules.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try connection.openClient()
        defer { client.close() }
        let info = try client.inspect()
        let report = InspectJSON(info)
        if output.json {
            Terminal.write(JSONOutput.line(report))
            return
        }
        var lines = ["Platform: \(report.platform) (\(info.platformID))"]
        if let imei = info.imei { lines.append("IMEI: \(imei)") }
        if let iccid = info.iccid { lines.append("ICCID: \(iccid)") }
        lines.append("Modules:")
        for module in report.modules {
            var line = "  \(module.function) module #\(module.index) - version \(module.version)"
            if let location = module.location { line += ", \(location) location" }
            if let size = module.maxSize { line += ", \(size) bytes max size" }
            if module.valid == false { line += ", INVALID" }
            lines.append(line)
            for dependency in module.dependencies {
                lines.append("    depends on \(dependency.function) module #\(dependency.index) version \(dependency.version)")
            }
        }
        Terminal.write(lines.joined(separator: "\n"))
    }
}

/// The `--json` shape of `inspect`: the device's terse keys spelled out.
struct InspectJSON: Encodable {
    struct Dependency: Encodable {
        var function: String
        var index: String
        var version: Int
    }

    struct Module: Encodable {
        var function: String
        var index: String
        var version: Int
        var location: String?
        var maxSize: Int?
        var valid: Bool?
        var hash: String?
        var dependencies: [Dependency]

        enum CodingKeys: String, CodingKey {
            case function, index, version, location, valid, hash, dependencies
            case maxSize = "max_size"
        }
    }

    var platformID: Int
    var platform: String
    var imei: String?
    var iccid: String?
    var modules: [Module]

    enum CodingKeys: String, CodingKey {
        case platform, imei, iccid, modules
        case platformID = "platform_id"
    }

    static let locations = ["m": "main", "b": "backup", "f": "factory", "t": "scratchpad"]

    init(_ info: SystemInfo) {
        platformID = info.platformID
        platform = Platform.named(String(info.platformID))?.name ?? "unknown"
        imei = info.imei
        iccid = info.iccid
        modules = info.modules.map { module in
            Module(function: module.functionName, index: module.index, version: module.version,
                   location: module.location.map { Self.locations[$0] ?? $0 }, maxSize: module.maximumSize,
                   valid: module.isValid, hash: module.hash,
                   dependencies: module.dependencies.map {
                       Dependency(function: $0.functionName, index: $0.index, version: $0.version)
                   })
        }
    }
}
