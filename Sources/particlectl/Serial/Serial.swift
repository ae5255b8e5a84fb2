import ArgumentParser
import ParticleCLISupport

/// `particlectl serial …`: USB discovery and the listening-mode serial console.
struct Serial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find Particle USB devices and talk to them over the listening-mode serial console.",
        subcommands: [SerialList.self, SerialWatch.self] + SerialCommands.all
    )
}
