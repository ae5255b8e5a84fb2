import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl api-user create`.
struct APIUserCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API user and print its token (shown once; it never expires).",
        discussion: "Prints the token on stdout and the API user's username on stderr (both in the JSON with --json)."
    )

    @OptionGroup var owner: TeamOwnerOptions
    @Option(name: .long, help: "A friendly name for the API user.")
    var name: String
    @Option(name: .long, help: "A scope (repeat for several), e.g. devices:list.")
    var scope: [String] = []
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws { try validateScopes(scope) }

    func run() async throws {
        let created = try await CloudSession(cloud).run { client in
            try await client.team(owner.owner).createAPIUser(name: name, scopes: scope)
        }
        try printAPIUser(created, scopes: scope, json: output.json)
    }
}
