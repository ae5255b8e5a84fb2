import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb safe-mode`
struct USBSafeMode: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "safe-mode",
        abstract: "Restart the device in safe mode (SAFE_MODE).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"safe_mode\":true}. The device answers first and restarts about a second later, with the application not running."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.enterSafeMode()
            return USBOutcome(fields: ["safe_mode": .bool(true)], text: "The device restarts in safe mode in about a second.")
        }
    }
}
