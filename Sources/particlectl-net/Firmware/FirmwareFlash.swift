import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleProvisioning
import ParticleCLISupport

/// `particlectl firmware flash DEVICE NAME|FILE…`
struct FirmwareFlash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Flash a bundled firmware or source files to a device through the cloud.",
        discussion: """
            With --verify, follows the event stream until the device is back online, checks that it lists exactly \
            the bundled firmware's functions and variables, and calls its test function (setColor "0,255,0" → 1). \
            Compile errors are printed with the compiler's lines (exit 1). JSON: {"device", "firmware", "verified", \
            "functions", "variables", "verify_call", "return_value"}.
            """
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @Argument(help: "A bundled firmware (functionVar, functionVarPub) or source files.")
    var sources: [String]
    @Option(help: "Device OS version to build against (default: the platform's default).")
    var target: String?
    @Flag(help: "Wait for the device to come back and check the firmware runs.")
    var verify = false
    @Option(parsing: .unconditional, help: "Seconds to wait for the device to come back online when verifying (0.01–86400).",
            transform: Seconds.argument)
    var timeout: Seconds = 120
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var device: String
        var outcome: FlashOutcome
        func encode(to encoder: any Encoder) throws {
            try outcome.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(device, forKey: .device)
        }
        enum Key: String, CodingKey { case device }
    }

    func validate() throws {
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let firmware = try FirmwareSelection.resolve(sources)
        let json = output.json
        let outcome: FlashOutcome
        do {
            outcome = try await CloudSession(cloud).run { client in
                // A name is resolved to the ID first: the event stream reports IDs.
                let id = reference.isID ? reference.value
                    : try await client.devices(product: product.product).info(reference).id
                if !json { Terminal.writeError("Flashing \(firmware.name) to \(id)…") }
                let flasher = FirmwareFlasher(cloud: client, product: product.product, timeout: timeout.value)
                return try await flasher.flash(id, firmware, target: target, verify: verify) { line in
                    if !json { Terminal.writeError("  \(line)") }
                }
            }
        } catch let error as CompileError {
            for line in error.lines { Terminal.writeError(line) }
            throw error
        }
        if json {
            Terminal.write(JSONOutput.line(Result(device: reference.value, outcome: outcome)))
        } else {
            Terminal.write(verify ? "\(firmware.name) flashed and verified on \(reference.value)"
                                  : "\(firmware.name) flash started on \(reference.value) (use --verify to wait for it)")
        }
    }
}
