import ArgumentParser
import Foundation
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
            With --verify, follows the event stream (elapsed and remaining time on stderr while it waits) until the device is back online, checks that it lists exactly \
            the bundled firmware's functions and variables, and calls its test function (setColor "0,255,0" → 1). \
            Compile errors are printed with the compiler's lines (exit 1). JSON: {"device", "firmware", "verified", \
            "functions", "variables", "verify_call", "return_value"}; on failure the same object plus "error", \
            "exit_code" and "failed_step" (resolve, upload, wait-online, verify).
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

    /// The success object; on failure the same plus `error`, `exit_code` and `failed_step`.
    struct Result: Encodable {
        var device: String
        var outcome: FlashOutcome
        var failure: FailureFields?

        func encode(to encoder: any Encoder) throws {
            try outcome.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(device, forKey: .device)
            try failure?.encode(to: encoder)
        }

        enum Key: String, CodingKey { case device }
    }

    func validate() throws {
    }

    func run() async throws {
        let json = output.json
        let stage = FlashStage()
        do {
            try await flash(stage: stage)
        } catch {
            if let error = error as? CompileError {
                for line in error.lines { Terminal.writeError(line) }
            }
            if json {
                let (failed, id) = stage.current
                let name = (try? FirmwareSelection.resolve(sources))?.name ?? sources.joined(separator: ",")
                Terminal.write(JSONOutput.line(Result(
                    device: id ?? device, outcome: FlashOutcome(firmware: name, verified: false),
                    failure: FailureFields(error: error, step: failed.rawValue))))
            }
            throw error
        }
    }

    private func flash(stage: FlashStage) async throws {
        let reference = try deviceReference(device)
        let firmware = try FirmwareSelection.resolve(sources)
        let json = output.json
        let printer = ProgressPrinter(enabled: !json)
        defer { printer.clear() }
        let outcome = try await CloudSession(cloud).run { client in
            // A name is resolved to the ID first: the event stream reports IDs.
            let id = reference.isID ? reference.value
                : try await client.devices(product: product.product).info(reference).id
            stage.set(.upload, deviceID: id)
            if !json { Terminal.writeError("Flashing \(firmware.name) to \(id)…") }
            let flasher = FirmwareFlasher(cloud: client, product: product.product, timeout: timeout.value) {
                stage.set(.waitOnline)
                printer.show(.waiting(.flash, elapsed: $0, remaining: $1))
            }
            return try await flasher.flash(id, firmware, target: target, verify: verify) { line in
                if line.hasPrefix("flashed;") { stage.set(.verify) }
                printer.show(.note(line))
            }
        }
        printer.clear()
        if json {
            Terminal.write(JSONOutput.line(Result(device: reference.value, outcome: outcome)))
        } else {
            Terminal.write(verify ? "\(firmware.name) flashed and verified on \(reference.value)"
                                  : "\(firmware.name) flash started on \(reference.value) (use --verify to wait for it)")
        }
    }

    /// Where a flash is, for `failed_step` in the failure JSON.
    enum Step: String, Sendable { case resolve, upload, waitOnline = "wait-online", verify }

    /// The step a flash reached, set from the flasher's callbacks.
    final class FlashStage: @unchecked Sendable {
        private let lock = NSLock()
        private var step = Step.resolve
        private var deviceID: String?

        func set(_ step: Step, deviceID: String? = nil) {
            lock.withLock {
                self.step = step
                if let deviceID { self.deviceID = deviceID }
            }
        }

        var current: (Step, String?) { lock.withLock { (step, deviceID) } }
    }

}
