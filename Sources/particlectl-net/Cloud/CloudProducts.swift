import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud products`.
struct CloudProducts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "products",
        abstract: "List the products you are a team member of.",
        discussion: "JSON: an array of {\"id\", \"name\", \"slug\", \"platform_id\", …}."
    )

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let products = try await CloudSession(cloud).run { client in try await client.products.list() }
        if output.json { printJSON(products); return }
        if products.isEmpty { Terminal.write("No products."); return }
        var table = Table("ID", "SLUG", "PLATFORM", "NAME")
        for product in products {
            table.append([String(product.id), UntrustedText.escaped(product.slug ?? ""), product.platformID.map(String.init) ?? "",
                          UntrustedText.escaped(product.name)])
        }
        Terminal.write(table.rendered)
    }
}
