import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud orgs`.
struct CloudOrgs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orgs",
        abstract: "List your organizations.",
        discussion: "JSON: an array of {\"id\", \"name\", \"slug\"}."
    )

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let orgs = try await CloudSession(cloud).run { client in try await client.products.organizations() }
        if output.json { printJSON(orgs); return }
        if orgs.isEmpty { Terminal.write("No organizations."); return }
        var table = Table("ID", "SLUG", "NAME")
        for org in orgs { table.append([org.id, org.slug ?? "", org.name ?? ""].map(UntrustedText.escaped)) }
        Terminal.write(table.rendered)
    }
}
