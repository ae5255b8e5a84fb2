import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb inspect`
struct USBInspect: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the firmware modules on the device, with versions and validity (GET_MODULE_INFO, 90).",
        discussion: """
            JSON: {"usb_path","device_id","platform","modules":[{"type","index","version","store","size","valid",\
            "failed_checks":[…],"dependencies":[{"type","index","version"}]}]}; "store" is null on Device OS before 5.6.0.
            """
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let modules = try await client.modules()
            let objects: [JSONValue] = modules.map { module in
                .object([
                    (key: "dependencies", value: .array(module.dependencies.map { dependency in
                        .object([(key: "index", value: .int(Int(dependency.index))),
                                 (key: "type", value: .string(dependency.type)),
                                 (key: "version", value: .int(Int(dependency.version)))])
                    })),
                    (key: "failed_checks", value: .array(module.failedChecks.map(JSONValue.string))),
                    (key: "index", value: .int(Int(module.index))),
                    (key: "size", value: .int(Int(module.size))),
                    (key: "store", value: module.store.map(JSONValue.string) ?? .null),
                    (key: "type", value: .string(module.type)),
                    (key: "valid", value: .bool(module.isValid)),
                    (key: "version", value: .int(Int(module.version))),
                ])
            }
            let lines = modules.map { module in
                let state = module.isValid ? "valid" : "FAILED " + module.failedChecks.joined(separator: ", ")
                let dependencies = module.dependencies.map { "\($0.type) \($0.index) v\($0.version)" }
                    .joined(separator: ", ")
                return "\(module.type) \(module.index) v\(module.version)\(module.store.map { " [\($0)]" } ?? "") "
                    + "\(module.size) bytes, \(state)" + (dependencies.isEmpty ? "" : "; needs \(dependencies)")
            }
            return USBOutcome(fields: ["modules": .array(objects)], text: lines.joined(separator: "\n"))
        }
    }
}
