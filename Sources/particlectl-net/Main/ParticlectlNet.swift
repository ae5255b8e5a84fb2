import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleNetCommands

/// `particlectl-net`: the commands that need the network stack (HTTP client, TLS, RSA). `particlectl` hands these
/// command lines over to it, so they read and behave as `particlectl …`.
@main
struct ParticlectlNet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl",
        abstract: "Cloud, SoftAP, provisioning and firmware commands of particlectl (run them as `particlectl …`).",
        version: ParticlectlVersion.string,
        subcommands: NetCommandTree.commands
    )

    static func main() async {
        await CommandLineRunner.main(ParticlectlNet.self)
    }
}
