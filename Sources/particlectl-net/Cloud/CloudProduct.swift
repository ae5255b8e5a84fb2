import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud product`.
struct CloudProduct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product",
        abstract: "Show one product.",
        discussion: "JSON: {\"id\", \"name\", \"slug\", \"platform_id\", …}."
    )

    @Argument(help: "Product ID or slug.")
    var product: String
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let info = try await CloudSession(cloud).run { client in try await client.products.get(product) }
        if output.json { printJSON(info); return }
        Terminal.write("""
            ID:       \(info.id)
            Name:     \(UntrustedText.escaped(info.name))
            Slug:     \(UntrustedText.escaped(info.slug ?? "-"))
            Platform: \(info.platformID.map(String.init) ?? "-")
            """)
    }
}
