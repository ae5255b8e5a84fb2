import ArgumentParser
import ParticleCore
import ParticleCLISupport

/// `particlectl serial mac`
struct SerialMAC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mac",
        abstract: "Print the MAC address of a device in listening mode.",
        discussion: #"JSON: {"mac":"aa:bb:cc:dd:ee:ff"} (lower-case)."#
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
        let mac = try client.mac()
        Terminal.write(json ? JSONOutput.line(["mac": mac]) : "MAC address: \(mac)")
    }
}
