import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb claimed`
struct USBClaimed: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimed",
        abstract: "Tell whether the device considers itself claimed (IS_CLAIMED).",
        discussion: "JSON: {\"usb_path\",\"device_id\",\"platform\",\"claimed\":true|false}."
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let claimed = try await client.isClaimed()
            return USBOutcome(fields: ["claimed": .bool(claimed)], text: "Claimed: \(claimed ? "yes" : "no")")
        }
    }
}
