import ArgumentParser
import Foundation
import ParticleCLISupport
import ParticleCore

@main
struct ParticlectlSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl sim",
        abstract: "Simulators for trying and testing particlectl without hardware or an account.",
        version: ParticlectlVersion.string,
        subcommands: SimulatorCommands.all
    )

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == SiblingExecutable.wholeTreeArgument {
            await CommandLineRunner.main(WholeTree.self, arguments: Array(arguments.dropFirst()))
        }
        await CommandLineRunner.main(ParticlectlSim.self, prefix: "particlectl sim")
    }
}

/// The simulator commands (device, softap, cloud, all, station). Each simulator registers here.
enum SimulatorCommands {
    static let all: [any ParsableCommand.Type] = [SimDevice.self, SimCloud.self, SimSoftAP.self, SimAll.self, SimStation.self]
}
