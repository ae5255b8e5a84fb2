import ArgumentParser
import ParticleCore
import ParticleFirmware
import ParticleCLISupport

/// `particlectl firmware show NAME`
struct FirmwareShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the source of a bundled firmware."
    )

    @Argument(help: "functionVar or functionVarPub.")
    var name: String

    @OptionGroup var output: OutputOptions

    struct Shown: Encodable {
        var name: String
        var file: String
        var source: String
        var manifest: BundledFirmware.Manifest
    }

    func run() throws {
        guard let firmware = BundledFirmware.named(name) else {
            let known = BundledFirmware.all.map(\.name).joined(separator: ", ")
            throw UserError(.notFound, "no bundled firmware named \(name) (bundled: \(known))")
        }
        if output.json {
            Terminal.write(JSONOutput.line(Shown(name: firmware.name, file: firmware.fileName,
                                                 source: firmware.source, manifest: firmware.manifest)))
        } else {
            Terminal.write(firmware.source)
        }
    }
}
