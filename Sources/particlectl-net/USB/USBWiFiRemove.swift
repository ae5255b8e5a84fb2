import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi remove --ssid NAME`
struct USBWiFiRemove: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget one stored Wi-Fi network (503); succeeds also when it was not stored.",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"removed\":\"<ssid>\"}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The network name.", valueName: "name"))
    var ssid: String

    func run() async throws {
        let ssid = ssid
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.removeWiFi(ssid: ssid)
            return USBOutcome(fields: ["removed": .string(ssid)], text: "Removed \(ssid).")
        }
    }
}
