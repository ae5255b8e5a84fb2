import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap info`
struct SoftAPInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the SoftAP protocol version, the device ID and whether the device is claimed.",
        discussion: "JSON: {\"claimed\":false,\"id\":\"<24 lower-case hex>\",\"version\":2}"
    )

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    struct Info: Encodable {
        var version: Int
        var id: String
        var claimed: Bool
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let client = try connection.makeClient()
            let version = try await client.version()
            let device = try await client.deviceInfo()
            let info = Info(version: version, id: device.id.rawValue, claimed: device.claimed)
            if output.json {
                Terminal.write(JSONOutput.line(info))
            } else {
                Terminal.write("Device ID:  \(info.id)\nClaimed:    \(info.claimed ? "yes" : "no")\nProtocol:   SoftAP v\(info.version)")
            }
        }
    }
}
