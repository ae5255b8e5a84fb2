import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `--port`, `--timeout`, `--verbose`: shared by every listening-mode command.
struct SerialConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The serial port (default: the only attached Particle device).", valueName: "path"))
    var port: String?

    @Option(help: ArgumentHelp("Seconds to wait for each reply or prompt (cellular devices may need 20).", valueName: "seconds"))
    var timeout: Double = 5

    @Flag(help: "Print the bytes exchanged to stderr (passwords and keys masked).")
    var verbose = false

    func validate() throws {
        if timeout <= 0 || timeout > 3600 { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }

    /// The chosen port: `--port`, or the single attached Particle device.
    func resolvePort() throws -> String {
        try PortSelection.choose(explicit: port)
    }

    /// Opens the chosen port for a listening-mode exchange.
    func openClient() throws -> ListeningModeClient {
        let client = try ListeningModeClient(path: try resolvePort(), timeout: timeout)
        if verbose {
            client.transcript = { entry in
                Terminal.writeError("\(entry.direction == .sent ? ">>" : "<<") \(entry.text)")
            }
        }
        return client
    }
}
