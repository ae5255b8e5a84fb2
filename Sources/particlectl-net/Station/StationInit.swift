import ArgumentParser
import Glibc
import ParticleCLISupport
import ParticleCore
import ParticleStation

/// `particlectl station init [FILE]`: writes the commented example profile to start from.
public struct StationInit: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented example station profile to start from.",
        discussion: """
            Writes station.yaml (or FILE; - for stdout) with every key of the profile explained. It never overwrites \
            an existing file unless --force. Edit it, then run `particlectl station run --profile FILE`. \
            JSON: {"path", "written"}.
            """
    )

    @Argument(help: ArgumentHelp("File to write (- for stdout).", valueName: "file"), completion: .file())
    var file: String = "station.yaml"
    @Flag(help: "Overwrite the file if it exists.")
    var force = false
    @OptionGroup var output: OutputOptions

    public init() {}

    public func validate() throws {
        if file == "-" && output.json {
            throw ValidationError("--json reports a file written; with - the profile itself goes to stdout")
        }
        if file.isEmpty { throw ValidationError("the file name is empty") }
    }

    public func run() throws {
        if file == "-" {
            Terminal.write(StationProfile.exampleYAML)
            return
        }
        try ProfileWriter.write(StationProfile.exampleYAML, to: file, overwrite: force)
        if output.json {
            Terminal.write(JSONOutput.line(Written(path: file, written: true)))
        } else {
            Terminal.write("Wrote \(file): set wifi.ssid and where the password comes from, then run `particlectl station run --profile \(file)`")
        }
    }

    struct Written: Encodable {
        var path: String
        var written: Bool
    }
}

/// Creates (or with `overwrite` replaces) a file with some text; an existing file is refused by the kernel
/// (O_EXCL), not by a check that could race.
enum ProfileWriter {
    static func write(_ text: String, to path: String, overwrite: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST {
                throw UserError(.usage, "\(path) already exists; pass --force to overwrite it, or name another file")
            }
            throw UserError(code == ENOENT ? .usage : .io, "cannot write \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw UserError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
