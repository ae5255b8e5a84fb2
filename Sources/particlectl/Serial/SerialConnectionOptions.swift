import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `--port`, `--timeout`, `--verbose`: shared by every listening-mode command.
struct SerialConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The serial port (default: the only attached Particle device).", valueName: "path"))
    var port: String?

    @Option(name: .customLong("timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for each reply or prompt, 0.01–86400 (cellular devices may need 20).", valueName: "seconds"),
            transform: Seconds.argument)
    var timeoutSeconds: Seconds = Self.defaultTimeout

    /// `--timeout` when it is not given (also the fast path's, `SerialQuickCommand`).
    static let defaultTimeout: Seconds = 5

    @Flag(help: "Print the bytes exchanged to stderr (passwords and keys masked).")
    var verbose = false

    /// `--timeout` in seconds (always finite and in range).
    var timeout: Double { timeoutSeconds.value }

    /// The chosen port: `--port`, or the single attached Particle device.
    func resolvePort() throws -> String {
        try PortSelection.choose(explicit: port)
    }

    /// Opens the chosen port for a listening-mode exchange.
    func openClient() throws -> ListeningModeClient {
        try Self.openClient(port: port, timeout: timeout, verbose: verbose)
    }

    /// Opens `port` (or the single attached Particle device) for a listening-mode exchange; with `verbose` the
    /// exchanged bytes go to stderr. Shared by the parsed commands and the fast path (`SerialQuickCommand`).
    static func openClient(port: String?, timeout: Double, verbose: Bool) throws -> ListeningModeClient {
        let client = try ListeningModeClient(path: try PortSelection.choose(explicit: port), timeout: timeout)
        if verbose {
            client.transcript = { entry in
                Terminal.writeError("\(entry.direction == .sent ? ">>" : "<<") \(entry.text)")
            }
        }
        return client
    }
}
