import ArgumentParser
import Foundation
import Glibc
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl flash --local FILE|BUNDLED-NAME`: firmware update over USB control requests; the device needs no
/// cloud and no Wi-Fi.
struct FlashLocal: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Load an application binary or a bundled firmware into a device over USB (the device needs no cloud, no Wi-Fi).",
        discussion: """
            `particlectl flash --local app.bin` sends the file with the firmware-update requests (START, DATA in the \
            device's chunk size, FINISH); the device checks the image, resets, and particlectl waits until it answers \
            again and lists a valid user part. A failure cancels the update: the device keeps its old firmware, and \
            running the command again completes it. Make the binary with `particlectl firmware compile`, or name a \
            bundled firmware (`particlectl firmware list`): particlectl ships its source and compiles it in the cloud \
            for the device's platform and Device OS (this needs `particlectl login` on the host; the device stays \
            offline). The binary is kept in ~/.cache/particlectl/firmware (XDG_CACHE_HOME), so the next device of \
            the same platform and Device OS is loaded without the cloud and without a login. JSON: {"usb_path","device_id","platform","bytes","user_part_version","verified":true}.
            """
    )

    @Option(help: ArgumentHelp("The binary to load (a user application .bin), or a bundled firmware's name.",
                               valueName: "file|name"), completion: .file())
    var local: String

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var cloud: CloudOptions

    func run() async throws {
        let source = try FlashLocalSource.resolve(local, fileExists: { access($0, F_OK) == 0 }, read: Self.read)
        var compiler: BundledFirmwareCompiler?
        if case .bundled(let firmware) = source {
            let session = CloudSession(cloud)
            let credentials = Result { try session.configuration(token: session.token().token) }
            let made = BundledFirmwareCompiler(
                firmware: firmware, cloud: credentials,
                cache: CompiledFirmwareCache(environment: ProcessInfo.processInfo.environment))
            // Not logged in and nothing cached: say so before the first byte to a device.
            try await made.checkUsable()
            compiler = made
        }
        let showProgress = !output.json && isatty(STDERR_FILENO) == 1
        try await USBFanOut.run(target, json: output.json) { [compiler] client in
            let device = client.channel.device
            let label = client.channel.label
            let image: [UInt8]
            switch source {
            case .file(_, let bytes):
                image = bytes
            case .bundled(let firmware):
                guard let compiler, let platformID = device.platform?.id else {
                    throw UserError(.usage, "the device at \(label) has no known platform to compile \(firmware.name) for; "
                        + "compile it with `particlectl firmware compile` and flash the file")
                }
                let version = try? await client.systemVersion()
                if showProgress, await !compiler.isCached(platformID: platformID, systemVersion: version) {
                    Terminal.writeError("\(label): compiling \(firmware.name) in the cloud…")
                }
                image = try await compiler.binary(platformID: platformID, systemVersion: version)
            }
            let update = FirmwareUpdate(image: image)
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
