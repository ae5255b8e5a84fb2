import ArgumentParser
import ParticleCore
import ParticleCLISupport

/// `particlectl serial version`
struct SerialVersion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the Device OS version of a device in listening mode.",
        discussion: #"JSON: {"version":"5.9.0"}."#
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try connection.openClient()
        defer { client.close() }
        let version = try client.version()
        Terminal.write(output.json ? JSONOutput.line(["version": version]) : "Device OS version: \(version)")
    }
}
