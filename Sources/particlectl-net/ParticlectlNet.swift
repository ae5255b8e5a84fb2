import ArgumentParser
import ParticleCLISupport

/// `particlectl-net`: the commands that need the network stack (HTTP client, TLS, RSA). `particlectl` hands these
/// command lines over to it, so they read and behave as `particlectl …`.
@main
struct ParticlectlNet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl",
        abstract: "Cloud, SoftAP, provisioning and firmware commands of particlectl (run them as `particlectl …`).",
        subcommands: [Provision.self, Firmware.self, CloudCommand.self, Login.self, Logout.self, Whoami.self,
                      TokenCommand.self, APIUserCommand.self, CustomerCommand.self, Customers.self, SoftAP.self]
    )

    static func main() async {
        await CommandLineRunner.main(ParticlectlNet.self)
    }
}
