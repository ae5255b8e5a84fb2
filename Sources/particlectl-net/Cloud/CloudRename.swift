import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud rename`.
struct CloudRename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Rename a device.",
        discussion: "JSON: {\"id\", \"name\"}."
    )

    @Argument(help: "Device ID (24 hex) or current name.")
    var device: String
    @Argument(help: "The new name (letters, digits, _ and -).")
    var name: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var id: String
        var name: String
    }

    func validate() throws {
        guard (try? DeviceReference(name)) != nil, !DeviceReference.isDeviceID(name) else {
            throw ValidationError("'\(name)' is not a device name (up to 63 letters, digits, _ and -; not 24 hex digits)")
        }
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let updated = try await CloudSession(cloud).run { client in
            try await client.devices(product: product.product).rename(reference, to: name)
        }
        let result = Result(id: updated.id, name: updated.name ?? name)
        if output.json { printJSON(result) } else { Terminal.write("Renamed \(result.id) to \(result.name).") }
    }
}
