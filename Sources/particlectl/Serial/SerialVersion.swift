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
        try Self.execute(port: connection.port, timeout: connection.timeout, verbose: connection.verbose,
                         json: output.json)
    }

    /// Shared with the fast path (`SerialQuickCommand`).
    static func execute(port: String?, timeout: Double, verbose: Bool, json: Bool) throws {
        let client = try SerialConnectionOptions.openClient(port: port, timeout: timeout, verbose: verbose)
        defer { client.close() }
        let version = try client.version()
        Terminal.write(json ? JSONOutput.line(["version": version]) : "Device OS version: \(version)")
    }
}
