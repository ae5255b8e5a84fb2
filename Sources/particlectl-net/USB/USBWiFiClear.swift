import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi clear`
struct USBWiFiClear: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Forget every stored Wi-Fi network (504).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"cleared\":true}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.clearWiFi()
            return USBOutcome(fields: ["cleared": .bool(true)], text: "Cleared every stored network.")
        }
    }
}
