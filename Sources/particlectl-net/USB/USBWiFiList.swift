import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi list`
struct USBWiFiList: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the Wi-Fi networks the device has credentials for (502); passwords are never returned.",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"networks\":[{\"security\",\"ssid\"}]}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let networks = try await client.knownWiFiNetworks()
            let lines = networks.map { "\($0.ssid)  \($0.security ?? "-")" }
            return USBOutcome(fields: ["networks": .array(networks.map(wifiNetworkFields))],
                              text: lines.isEmpty ? "No networks stored." : lines.joined(separator: "\n"))
        }
    }
}
