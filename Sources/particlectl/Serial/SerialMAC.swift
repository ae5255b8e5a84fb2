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
        let client = try connection.openClient()
        defer { client.close() }
        let mac = try client.mac()
        Terminal.write(output.json ? JSONOutput.line(["mac": mac]) : "MAC address: \(mac)")
    }
}
