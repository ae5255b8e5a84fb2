import ArgumentParser
import ParticleCLISupport

/// `particlectl sim …` runs the simulators. They live in a separate executable, `particlectl-sim`, so that their
/// server code stays out of the start-up path of device commands; this command hands over to it.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: RootHelp.simAbstract,
        discussion: "Everything after `sim` is passed to particlectl-sim, installed beside particlectl."
    )

    @Argument(parsing: .captureForPassthrough, help: "The simulator command and its options.")
    var arguments: [String] = []

    func run() throws {
        try SiblingExecutable.exec("particlectl-sim", arguments.isEmpty ? ["--help"] : arguments)
    }
}
