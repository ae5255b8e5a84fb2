import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl api-user delete`.
struct APIUserDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an API user (its token stops working)."
    )

    @Argument(help: "The API user's full username.")
    var username: String
    @OptionGroup var owner: TeamOwnerOptions
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var ok: Bool
        var username: String
    }

    func run() async throws {
        try await CloudSession(cloud).run { client in try await client.team(owner.owner).delete(username: username) }
        if output.json { printJSON(Result(ok: true, username: username)) } else { Terminal.write("Deleted API user \(username).") }
    }
}
