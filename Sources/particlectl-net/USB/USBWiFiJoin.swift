import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi join`
struct USBWiFiJoin: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join a Wi-Fi network: the device connects to check the credentials, then stores them (500).",
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
            try await client.joinWiFi(credentials)
            return USBOutcome(fields: ["ssid": .string(credentials.ssid)], text: "Joined \(credentials.ssid).")
        }
    }
}
