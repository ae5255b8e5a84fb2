import ArgumentParser
import ParticleCore
import ParticleCLISupport

/// `particlectl serial claimed`
struct SerialClaimed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimed",
        abstract: "Tell whether a device in listening mode has been claimed by an account.",
        discussion: #"JSON: {"claimed":true}. Exit 0 either way."#
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try connection.openClient()
        defer { client.close() }
        let claimed = try client.isClaimed()
        Terminal.write(output.json ? JSONOutput.line(["claimed": claimed]) : "Claimed: \(claimed ? "yes" : "no")")
    }
}
