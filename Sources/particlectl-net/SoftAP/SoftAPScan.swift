import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap scan`
struct SoftAPScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the Wi-Fi networks the device can see (slow: the device scans the air).",
        discussion: """
            One row per access point, strongest first. JSON: a list of \
            {"channel":6,"rssi":-48,"sec":4194308,"security":"wpa2_aes","ssid":"HomeNet"}.
            """
    )

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var ssid: String
        var security: String
        var sec: Int
        var channel: Int
        var rssi: Int
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let networks = try await connection.makeClient().scan().sorted { $0.rssi > $1.rssi }
            let rows = networks.map {
                Row(ssid: $0.ssid, security: $0.security.name, sec: $0.security.rawValue, channel: $0.channel, rssi: $0.rssi)
            }
            if output.json {
                Terminal.write(JSONOutput.line(rows))
                return
            }
            guard !rows.isEmpty else {
                Terminal.write("The device sees no networks. Move it closer to the access point and scan again.")
                return
            }
            var table = Table("SSID", "SECURITY", "CHANNEL", "SIGNAL")
            for row in rows {
                table.append([UntrustedText.escaped(row.ssid), row.security, String(row.channel), "\(row.rssi) dBm"])
            }
            Terminal.write(table.rendered)
        }
    }
}
