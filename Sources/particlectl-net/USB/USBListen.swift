import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb listen`
struct USBListen: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Put the device in listening mode (START_LISTENING), the way to do it on Device OS 6.",
        discussion: "Sends START_LISTENING, then asks GET_DEVICE_MODE every 500 ms until the device says it is listening (at most --timeout). JSON: {\"usb_path\",\"device_id\",\"platform\",\"listening\":true}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let within = target.timeoutMilliseconds
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.enterListeningMode(withinMilliseconds: within)
            return USBOutcome(fields: ["listening": .bool(true)], text: "The device is in listening mode.")
        }
    }
}
