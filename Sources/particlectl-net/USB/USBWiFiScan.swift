import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi scan`
struct USBWiFiScan: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the Wi-Fi networks the device can see (506); hidden networks (no SSID) are left out.",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"networks\":[{\"bssid\",\"channel\",\"rssi\",\"security\",\"ssid\"}]}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let networks = try await client.scanWiFi().filter { !$0.ssid.isEmpty }
            let lines = networks.map { "\($0.ssid)  \($0.security ?? "-")  channel \($0.channel ?? 0)  \($0.rssi ?? 0) dBm" }
            return USBOutcome(fields: ["networks": .array(networks.map(wifiNetworkFields))],
                              text: lines.isEmpty ? "No networks found." : lines.joined(separator: "\n"))
        }
    }
}
