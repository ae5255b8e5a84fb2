import ArgumentParser
import ParticleCore

/// The texts of the `particlectl` root command, shared by the front (`particlectl`) and the whole-tree root that
/// `particlectl-sim` builds for help, shell completions and the man page, so that both read the same.
public enum RootHelp {
    public static let abstract =
        "Provision Particle devices from the host: USB discovery, listening-mode serial, SoftAP and the Cloud API."

    public static let discussion = """
        Exit codes: 0 ok; 1 the device or cloud answered with an error; 2 bad usage or input; 3 no device, not \
        found or ambiguous; 4 timed out; 5 authentication missing or rejected; 6 I/O failure.
        """

    /// `particlectl sim`'s one-line summary.
    public static let simAbstract = "Run the simulated device, SoftAP and cloud (see `particlectl sim --help`)."

    /// The `particlectl` root's configuration over the given commands.
    public static func configuration(subcommands: [any ParsableCommand.Type]) -> CommandConfiguration {
        CommandConfiguration(commandName: "particlectl", abstract: abstract, discussion: discussion,
                             version: ParticlectlVersion.string, subcommands: subcommands)
    }
}
