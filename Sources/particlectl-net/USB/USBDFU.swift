import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb dfu`
struct USBDFU: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "dfu",
        abstract: "Reset the device into DFU mode (DFU_MODE).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"dfu\":true}. The device answers first and re-enumerates with its DFU product ID about a second later."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.enterDFU()
            return USBOutcome(fields: ["dfu": .bool(true)], text: "The device resets into DFU mode in about a second.")
        }
    }
}
