import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb stop-listening`
struct USBStopListening: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop-listening",
        abstract: "Take the device out of listening mode (STOP_LISTENING).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"listening\":false}. Always succeeds on a device that runs Device OS."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.stopListening()
            return USBOutcome(fields: ["listening": .bool(false)], text: "The device left listening mode.")
        }
    }
}
