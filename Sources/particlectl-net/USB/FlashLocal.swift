import ArgumentParser
import Glibc
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl flash --local FILE`: firmware update over USB control requests, no cloud and no Wi-Fi needed.
struct FlashLocal: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Load a compiled application binary into a device over USB (no cloud, no Wi-Fi).",
        discussion: """
            `particlectl flash --local app.bin` sends the file with the firmware-update requests (START, DATA in the \
            device's chunk size, FINISH); the device checks the image, resets, and particlectl waits until it answers \
            again and lists a valid user part. A failure cancels the update: the device keeps its old firmware, and \
            running the command again completes it. Make the binary with `particlectl firmware compile`. JSON: \
            {"usb_path","device_id","platform","bytes","user_part_version","verified":true}.
            """
    )

    @Option(help: ArgumentHelp("The binary to load (a user application .bin).", valueName: "file"), completion: .file())
    var local: String

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let image = try Self.read(local)
        let update = FirmwareUpdate(image: image)
        let showProgress = !output.json && isatty(STDERR_FILENO) == 1
        try await USBFanOut.run(target, json: output.json) { client in
            let device = client.channel.device
            let label = client.channel.label
            let chunks = update.chunks(of: FirmwareUpdate.defaultChunkSize).count
            try await client.updateFirmware(update) { sent, total in
                // A line at every quarter (and at the end): enough to see it move without flooding a log.
                let step = max(1, chunks / 4) * FirmwareUpdate.defaultChunkSize
                if showProgress && (sent % step < FirmwareUpdate.defaultChunkSize || sent == total) {
                    Terminal.writeError("\(label): sent \(sent) of \(total) bytes (\(sent * 100 / max(1, total))%)")
                }
            }
            await client.channel.close()
            let modules = try await DeviceRestart.modulesAfterRestart(of: device)
            guard let user = modules.first(where: { $0.type == "user_part" }), user.isValid else {
                throw UserError(.remoteError, "the device at \(label) restarted without a valid user part; "
                    + "check the binary's platform and Device OS dependencies")
            }
            return USBOutcome(fields: ["bytes": .int(image.count), "user_part_version": .int(Int(user.version)),
                                       "verified": .bool(true)],
                              text: "Loaded \(image.count) bytes; the device restarted with user part v\(user.version).")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw UserError(.notFound, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw UserError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > 4 * 1024 * 1024 { throw UserError(.usage, "\(path) is larger than any firmware module (4 MB)") }
        }
        guard !bytes.isEmpty else { throw UserError(.usage, "\(path) is empty") }
        return bytes
    }
}
