import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi add`
struct USBWiFiAdd: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store Wi-Fi credentials without connecting (507; Device OS 5.8.2 or 6.2.0+).",
        discussion: """
            The password comes from stdin (--password-stdin) or is asked without echo on a terminal; it is never \
            an argument and never printed. JSON: {"usb_path","device_id","platform","ssid"}.
            """
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var network: USBWiFiCredentialOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let credentials = try network.credentials()
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.addWiFi(credentials)
            return USBOutcome(fields: ["ssid": .string(credentials.ssid)], text: "Stored \(credentials.ssid).")
        }
    }
}
