import ArgumentParser
import ParticleCore
import ParticleCLISupport

/// `particlectl serial exit`
struct SerialExit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exit",
        abstract: "Make a device leave listening mode (it then connects, or runs its application).",
        discussion: #"Sends `x`; the device prints nothing back. JSON: {"port":"/dev/ttyACM0","sent":"x"}."#
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try connection.openClient()
        defer { client.close() }
        try client.exitListeningMode()
        Terminal.write(output.json ? JSONOutput.line(["port": client.path, "sent": "x"]) : "Asked the device on \(client.path) to leave listening mode.")
    }
}
