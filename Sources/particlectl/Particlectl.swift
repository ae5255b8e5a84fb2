import ArgumentParser
import ParticleCLISupport

/// The `particlectl` front: USB discovery and the listening-mode serial commands run here, in a small binary that
/// starts fast (a factory script runs `serial identify` thousands of times a day). Commands that need the network
/// stack (cloud, tokens, SoftAP, provisioning, firmware) hand over to `particlectl-net`, and the simulators to
/// `particlectl-sim`, both installed beside it.
@main
struct Particlectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl",
        abstract: "Provision Particle devices from the host: USB discovery, listening-mode serial, SoftAP and the Cloud API.",
        discussion: """
            Exit codes: 0 ok; 1 the device or cloud answered with an error; 2 bad usage or input; 3 no device, not \
            found or ambiguous; 4 timed out; 5 authentication missing or rejected; 6 I/O failure.
            """,
        subcommands: [Serial.self, Identify.self] + NetCommands.all + [Sim.self]
    )

    static func main() async {
        await CommandLineRunner.main(Particlectl.self)
    }
}
