import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap connect`
struct SoftAPConnect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Tell the device to leave setup mode and join the configured network (sent once, never retried).",
        discussion: """
            The device drops its access point right away, so a missing reply is normal: "sent" means the request \
            went out. Rejoin your own Wi-Fi afterwards and check the device comes online. \
            JSON: {"connect":"acknowledged"|"sent"}
            """
    )

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let outcome = try await connection.makeClient().connect()
            if output.json {
                Terminal.write(JSONOutput.line(["connect": outcome.rawValue]))
            } else {
                Terminal.write(outcome == .acknowledged
                    ? "Connect sent and acknowledged: the device is leaving setup mode to join its network."
                    : "Connect sent (the device dropped its access point before answering, as it may).")
            }
        }
    }
}
