import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud notes`.
struct CloudNotes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "Set a device's notes.",
        discussion: "JSON: {\"id\", \"notes\"}."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @Argument(help: "The notes text (empty to clear).")
    var notes: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var id: String
        var notes: String
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let updated = try await CloudSession(cloud).run { client in
            try await client.devices(product: product.product).setNotes(reference, to: notes)
        }
        let result = Result(id: updated.id, notes: updated.notes ?? notes)
        if output.json { printJSON(result) } else { Terminal.write("Notes of \(result.id) updated.") }
    }
}
