import ArgumentParser
import Dispatch
import Glibc
import ParticleCore
import ParticleCLISupport
import ParticleSerialCommands

/// The `particlectl` front: USB discovery and the listening-mode serial commands run here, in a small binary that
/// starts fast (a factory script runs `serial identify` thousands of times a day). Commands that need the network
/// stack (cloud, tokens, SoftAP, provisioning, firmware) hand over to `particlectl-net`, and the simulators to
/// `particlectl-sim`, both installed beside it (see `Handover`).
struct Particlectl: AsyncParsableCommand {
    static let configuration = RootHelp.configuration(
        subcommands: SerialCommandTree.commands + NetCommands.all + [Sim.self]
    )
}

/// The process entry. A plain `serial identify` / `mac` / `version` runs synchronously on the main thread through
/// `SerialQuickCommand`, before any command tree, task or thread exists; everything else is handed over or parsed.
@main
enum ParticlectlEntry {
    /// Set (to anything) to send every command line through the full parser (the tests compare both paths).
    static let fastPathSwitch = "PARTICLECTL_NO_FAST_PATH"

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if getenv(fastPathSwitch) == nil, let quick = SerialQuickCommand(arguments: arguments) {
            do {
                try quick.run()
                exit(ExitStatus.ok.rawValue)
            } catch {
                exit(ErrorReporter.report(error, root: Particlectl.self))
            }
        }
        if let handover = Handover.target(for: arguments) {
            do {
                try SiblingExecutable.exec(handover.executable, handover.arguments)
            } catch {
                exit(ErrorReporter.report(error, root: Particlectl.self))
            }
        }
        // The full parser runs in a task; the main thread serves the main queue (the main actor) until it exits.
        Task { await CommandLineRunner.main(Particlectl.self) }
        dispatchMain()
    }
}
