import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb listen`
struct USBListen: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Put the device in listening mode (START_LISTENING), the way to do it on Device OS 6.",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"listening\":true}. The device blinks dark blue until stop-listening, a reset, or a timeout in the device."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.startListening()
            return USBOutcome(fields: ["listening": .bool(true)], text: "The device is in listening mode.")
        }
    }
}
