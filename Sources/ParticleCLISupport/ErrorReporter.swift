import ArgumentParser
import Glibc
import ParticleCore

/// Runs a root command and turns any error into one line on stderr and the README's exit code.
/// Shared by `particlectl`, `particlectl-net` and `particlectl-sim`.
public enum CommandLineRunner {
    /// Parses the process arguments with `Root`, runs the command, and exits with the documented code.
    /// `arguments` defaults to the process's own (after its name).
    public static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil,
                                                   prefix: String = "particlectl") async -> Never {
        let status: Int32
        var parsed: (any ParsableCommand)?
        do {
            var command = try root.parseAsRoot(arguments)
            parsed = command
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = ExitStatus.ok.rawValue
        } catch {
            let json = (parsed as? any JSONFailureReporting).flatMap { $0.isJSONRequested ? $0 : nil }
            status = ErrorReporter.report(error, root: root, prefix: prefix, json: json)
        }
        Glibc.exit(status)
    }
}

/// One line on stderr per error, and its exit code.
public enum ErrorReporter {
    /// `json`: the failed command when it was run with `--json`; stdout then also gets its failure object
    /// (`JSONFailure`: its known keys, `"error"`, `"exit_code"`).
    public static func report<Root: ParsableCommand>(_ error: any Error, root: Root.Type,
                                                     prefix: String = "particlectl",
                                                     json: (any JSONFailureReporting)? = nil) -> Int32 {
        if let error = error as? any ParticleError {
            if let json {
                Terminal.write(JSONOutput.line(JSONFailure(fields: json.jsonFieldsOnFailure, error: error.message,
                                                           exitCode: error.exitStatus.rawValue)))
            }
            Terminal.writeError("\(prefix): \(error.message)")
            return error.exitStatus.rawValue
        }
        if let code = error as? ExitCode { return code.rawValue }
        // ArgumentParser's own errors: help and version exit 0; everything else is bad usage (2).
        let code = root.exitCode(for: error)
        let text = root.fullMessage(for: error)
        if code == .success {
            if !text.isEmpty { Terminal.write(text) }
            return ExitStatus.ok.rawValue
        }
        // Bad usage: one line saying what is wrong and where the help is, not the whole usage block.
        let message = String(root.message(for: error).drop(while: \.isWhitespace).reversed()
            .drop(while: \.isWhitespace).reversed())
        let line = "\(oneLine(message, fallback: text)) (see --help)"
        if let json {
            Terminal.write(JSONOutput.line(JSONFailure(fields: json.jsonFieldsOnFailure, error: line,
                                                       exitCode: ExitStatus.usage.rawValue)))
        }
        Terminal.writeError("\(prefix): \(line)")
        return ExitStatus.usage.rawValue
    }
}

extension ErrorReporter {
    /// ArgumentParser's usage message as one line: its first line, and when that announces a list ("Please provide
    /// one of the following:"), the list's items after it, comma-separated.
    static func oneLine(_ message: String, fallback: String) -> String {
        let lines = message.split(separator: "\n").map { line in
            String(line.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        }
        guard let first = lines.first else { return fallback }
        guard first.hasSuffix(":") else { return first }
        let items = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }.filter { !$0.isEmpty }
        return items.isEmpty ? first : first + " " + items.joined(separator: ", ")
    }
}

/// Writes to stdout/stderr without buffering surprises (each call is one line or block, written at once).
public enum Terminal {
    public static func write(_ text: String) {
        writeAll(STDOUT_FILENO, text.hasSuffix("\n") ? text : text + "\n")
    }

    public static func writeError(_ text: String) {
        writeAll(STDERR_FILENO, text.hasSuffix("\n") ? text : text + "\n")
    }

    private static func writeAll(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // a closed pipe: nothing more can be said
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Runs another particlectl executable installed beside this one (the folder of the resolved `/proc/self/exe`, never
/// `PATH`) in place of this process: same arguments after the name, same stdin/stdout/stderr, its exit code. It must
/// report this build's version (`--version`), so that a stale sibling left by an older install is refused instead of
/// run.
public enum SiblingExecutable {
    /// The first argument that makes `particlectl-sim` parse with the whole `particlectl` command tree (for help,
    /// shell completions and the man page).
    public static let wholeTreeArgument = "---whole-tree"

    public static func exec(_ name: String, _ arguments: [String]) throws -> Never {
        let executable = try locate(name)
        try checkVersion(of: executable)
        var cArguments: [UnsafeMutablePointer<CChar>?] = [strdup(executable)]
        cArguments += RawArguments.unrepaired(arguments).map { bytes -> UnsafeMutablePointer<CChar>? in
            bytes.withUnsafeBufferPointer { buffer in
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: buffer.count + 1)
                for (index, byte) in buffer.enumerated() { copy[index] = CChar(bitPattern: byte) }
                copy[buffer.count] = 0
                return copy
            }
        }
        cArguments.append(nil)
        execv(executable, &cArguments)
        throw UserError(.io, "cannot start \(executable): \(String(cString: strerror(errno)))")
    }

    /// The path of `name` beside this executable, or a not-found error saying what to install.
    public static func locate(_ name: String) throws -> String {
        let folder = ownFolder()
        let sibling = "\(folder)/\(name)"
        if access(sibling, X_OK) == 0 { return sibling }
        throw UserError(.notFound, "\(name) not found in \(folder); install particlectl, particlectl-net and "
                        + "particlectl-sim together in one folder (make install)")
    }

    /// Refuses a sibling whose `--version` is not this build's version (or that does not answer within 20 s: a
    /// large sibling starting on a busy machine can take seconds, and only a broken install hangs).
    public static func checkVersion(of executable: String, expected: String = ParticlectlVersion.string) throws {
        let reported = try VersionProbe.run(executable, seconds: 20)
        guard reported != expected else { return }
        let found = reported.map { "is version \($0)" } ?? "reports no version"
        throw UserError(.notFound, "\(executable) \(found), not \(expected) like particlectl; install the particlectl "
                        + "executables of one release together (make install)")
    }

    private static func ownFolder() -> String {
        guard let resolved = realpath("/proc/self/exe", nil) else { return "." }
        defer { free(resolved) }
        let path = String(cString: resolved)
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
