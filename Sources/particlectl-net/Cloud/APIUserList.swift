import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl api-user list`.
struct APIUserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the API users of a product or organization (team members with is_programmatic).",
        discussion: "JSON: an array of {\"username\", \"friendly_name\", \"scopes\"}."
    )

    @OptionGroup var owner: TeamOwnerOptions
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var username: String
        var friendly_name: Nullable<String>
        var scopes: [String]
    }

    func run() async throws {
        let team = try await CloudSession(cloud).run { client in try await client.team(owner.owner).list() }
        let rows = team.filter { $0.isProgrammatic == true }
            .map { Row(username: $0.username, friendly_name: Nullable($0.friendlyName), scopes: $0.scopes ?? []) }
        if output.json { printJSON(rows); return }
        if rows.isEmpty { Terminal.write("No API users."); return }
        var table = Table("USERNAME", "NAME", "SCOPES")
        for row in rows {
            table.append([row.username, row.friendly_name.value ?? "", row.scopes.joined(separator: " ")].map(UntrustedText.escaped))
        }
        Terminal.write(table.rendered)
    }
}
