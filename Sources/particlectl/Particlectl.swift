import ArgumentParser
import Glibc
import ParticleCLISupport
import ParticleSerialCommands

/// The `particlectl` front: USB discovery and the listening-mode serial commands run here, in a small binary that
/// starts fast (a factory script runs `serial identify` thousands of times a day). Commands that need the network
/// stack (cloud, tokens, SoftAP, provisioning, firmware) hand over to `particlectl-net`, and the simulators to
/// `particlectl-sim`, both installed beside it (see `Handover`).
@main
struct Particlectl: AsyncParsableCommand {
    static let configuration = RootHelp.configuration(
        subcommands: SerialCommandTree.commands + NetCommands.all + [Sim.self]
    )

    static func main() async {
        if let handover = Handover.target(for: Array(CommandLine.arguments.dropFirst())) {
            do {
                try SiblingExecutable.exec(handover.executable, handover.arguments)
            } catch {
                Glibc.exit(ErrorReporter.report(error, root: Particlectl.self))
            }
        }
        await CommandLineRunner.main(Particlectl.self)
    }
}
