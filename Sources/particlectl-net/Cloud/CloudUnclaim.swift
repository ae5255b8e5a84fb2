import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud unclaim`.
struct CloudUnclaim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unclaim",
        abstract: "Release a device from its owner (with --product: remove the product device's owner).",
        discussion: "JSON: {\"ok\": true, \"id\"}."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var ok: Bool
        var id: String
    }

    func run() async throws {
        let reference = try deviceReference(device)
        try await CloudSession(cloud).run { client in try await client.devices(product: product.product).unclaim(reference) }
        if output.json { printJSON(Result(ok: true, id: reference.value)) } else { Terminal.write("Unclaimed \(reference.value).") }
    }
}
