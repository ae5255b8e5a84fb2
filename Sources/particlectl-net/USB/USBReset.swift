import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb reset`
struct USBReset: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Reset the device (RESET).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"reset\":true}. The device answers first and resets about a second later."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.reset()
            return USBOutcome(fields: ["reset": .bool(true)], text: "The device resets in about a second.")
        }
    }
}
