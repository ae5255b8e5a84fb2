import ArgumentParser
import ParticleCLISupport
import ParticleNetCommands
import ParticleSerialCommands

/// The whole `particlectl` command tree: the front's serial commands, the network commands and the simulators, with
/// their real options. `particlectl` starts without the network and simulator code, so it hands its shell
/// completions (`--generate-completion-script`) and its man-page dump (`--experimental-dump-help`) over to this root,
/// which `particlectl-sim` parses with when its first argument is `SiblingExecutable.wholeTreeArgument`.
struct WholeTree: AsyncParsableCommand {
    static let configuration = RootHelp.configuration(
        subcommands: SerialCommandTree.commands + NetCommandTree.commands + [WholeTreeSim.self]
    )
}

/// `particlectl sim …` inside the whole tree.
struct WholeTreeSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: RootHelp.simAbstract,
        subcommands: SimulatorCommands.all
    )
}
