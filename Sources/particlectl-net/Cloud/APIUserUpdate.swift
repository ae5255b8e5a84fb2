import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl api-user update`.
struct APIUserUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Replace an API user's scopes and print its fresh token (the old token stops working)."
    )

    @Argument(help: "The API user's full username (…@api.particle.io).")
    var username: String
    @OptionGroup var owner: TeamOwnerOptions
    @Option(name: .long, help: "A scope (repeat for several).")
    var scope: [String] = []
    @Option(name: .long, help: "A new friendly name.")
    var name: String?
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws { try validateScopes(scope) }

    func run() async throws {
        let updated = try await CloudSession(cloud).run { client in
            try await client.team(owner.owner).updateAPIUser(username: username, name: name, scopes: scope)
        }
        try printAPIUser(updated, scopes: scope, json: output.json)
    }
}
