import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb claim --code CODE`
struct USBClaim: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Store a claim code on the device (SET_CLAIM_CODE); the device sends it to the cloud when it connects.",
        discussion: """
            Get a claim code with `particlectl cloud claim-code`. JSON: {"usb_path","device_id","platform",\
            "claim_code_set":true}. With --all every device gets the same code.
            """
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "The claim code (at most 63 printable ASCII characters).")
    var code: String

    func validate() throws {
        guard !code.isEmpty, code.utf8.count <= 63, code.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ValidationError("--code must be 1 to 63 printable ASCII characters without spaces")
        }
    }

    func run() async throws {
        let code = code
        try await USBFanOut.run(target, json: output.json) { client in
            try await client.setClaimCode(code)
            return USBOutcome(fields: ["claim_code_set": .bool(true)], text: "Claim code set.")
        }
    }
}
