import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleHardware
import ParticleProvisioning
import ParticleCLISupport

/// `particlectl firmware compile NAME|FILE… --platform P`
struct FirmwareCompile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a bundled firmware or source files in the cloud and download the binary.",
        discussion: """
            Prints the binary's flash and RAM use. JSON: {"binary_id", "platform_id", "build_target_version", \
            "flash_bytes", "ram_bytes", "output"}. Compile errors are printed with the compiler's lines (exit 1).
            """
    )

    @Argument(help: "A bundled firmware (functionVar, functionVarPub) or source files.")
    var sources: [String]
    @Option(help: "Platform name (photon, argon, p2 …) or id.")
    var platform: String
    @Option(help: "Device OS version to build against.")
    var target: String?
    @Option(help: "Where to write the binary (default: NAME-PLATFORM.bin).")
    var output: String?
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var format: OutputOptions

    struct Result: Encodable {
        var binary_id: String
        var platform_id: Int
        var build_target_version: String?
        var flash_bytes: Int?
        var ram_bytes: Int?
        var output: String
    }

    func run() async throws {
        guard let platform = Platform.named(platform), let platformID = platform.id else {
            throw UserError(.usage, "unknown platform '\(self.platform)' (photon, p1, electron, argon, boron, p2, msom …)")
        }
        let firmware = try FirmwareSelection.resolve(sources)
        let path = output ?? "\(firmware.name)-\(platform.name).bin"
        let (reply, binary): (CompileReply, [UInt8])
        do {
            (reply, binary) = try await CloudSession(cloud).run { client in
                let api = client.firmware()
                let reply = try await api.compile(sources: firmware.sources, platformID: platformID, target: target)
                return (reply, try await api.download(binaryID: reply.binaryID))
            }
        } catch let error as CloudError {
            guard let failure = CompileFailure.from(error) else { throw error }
            for line in failure.errorLines { Terminal.writeError(line) }
            throw CompileError(lines: failure.errorLines)
        }
        // Written whole to a temporary file, then renamed: never a half-written binary.
        do {
            try Data(binary).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw UserError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
        let memory = reply.memory
        if format.json {
            Terminal.write(JSONOutput.line(Result(binary_id: reply.binaryID, platform_id: platformID,
                                                  build_target_version: reply.buildTargetVersion,
                                                  flash_bytes: memory?.flash, ram_bytes: memory?.ram, output: path)))
        } else {
            var line = "Compiled \(firmware.name) for \(platform.name)"
            if let version = reply.buildTargetVersion { line += " (Device OS \(version))" }
            if let memory { line += ": flash \(memory.flash) bytes, RAM \(memory.ram) bytes" }
            Terminal.write(line + "\nSaved \(binary.count) bytes to \(path)")
        }
    }
}
