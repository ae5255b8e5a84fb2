import ArgumentParser
import ParticleCLISupport

/// `particlectl identify`: the same as `particlectl serial identify`, the command a factory script runs most.
struct Identify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Print the device ID of a device in listening mode (alias of `serial identify`).",
        discussion: SerialIdentify.configuration.discussion
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Identify every attached Particle serial device, concurrently.")
    var all = false

    func validate() throws {
        if all && connection.port != nil { throw ValidationError("--all and --port cannot be combined") }
    }

    func run() async throws {
        try await SerialIdentify.execute(connection: connection, output: output, all: all)
    }
}
