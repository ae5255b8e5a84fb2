import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi current`
struct USBWiFiCurrent: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "current",
        abstract: "Show the Wi-Fi network the device is connected to (505).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"network\":{\"bssid\",\"channel\",\"rssi\",\"ssid\"}}. Not connected: exit 3."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let network: USBWiFiNetwork
            do {
                network = try await client.currentWiFiNetwork()
            } catch let error as USBError where Self.isNotConnected(error) {
                throw UserError(.notFound, "the device at \(client.channel.label) is not connected to a Wi-Fi network")
            }
            return USBOutcome(fields: ["network": wifiNetworkFields(network)],
                              text: "\(network.ssid)  channel \(network.channel ?? 0)  \(network.rssi ?? 0) dBm")
        }
    }

    /// Device OS answers 505 with an error result when it is not connected (the exact code is not documented).
    static func isNotConnected(_ error: USBError) -> Bool {
        if case .requestFailed(let code) = error.kind { return code != .notSupported }
        return false
    }
}
