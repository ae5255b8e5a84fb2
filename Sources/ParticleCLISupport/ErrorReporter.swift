import ArgumentParser
import Foundation
import Glibc
import ParticleCore

/// Runs a root command and turns any error into one line on stderr and the README's exit code.
/// Shared by `particlectl`, `particlectl-net` and `particlectl-sim`.
public enum CommandLineRunner {
    /// Parses the process arguments with `Root`, runs the command, and exits with the documented code.
    public static func main<Root: ParsableCommand>(_ root: Root.Type, prefix: String = "particlectl") async -> Never {
        let status: Int32
        do {
            var command = try root.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = ExitStatus.ok.rawValue
        } catch {
            status = ErrorReporter.report(error, root: root, prefix: prefix)
        }
        Glibc.exit(status)
    }
}

/// One line on stderr per error, and its exit code.
public enum ErrorReporter {
    public static func report<Root: ParsableCommand>(_ error: any Error, root: Root.Type,
                                                     prefix: String = "particlectl") -> Int32 {
        if let error = error as? any ParticleError {
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
        let message = root.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? text
        Terminal.writeError("\(prefix): \(firstLine) (see --help)")
        return ExitStatus.usage.rawValue
    }
}

/// Writes to stdout/stderr without buffering surprises (each call is one line or block, flushed).
public enum Terminal {
    public static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    public static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// Runs another particlectl executable installed beside this one (resolving symlinks), else found on PATH, in
/// place of this process: same arguments after the name, same stdin/stdout/stderr, its exit code.
public enum SiblingExecutable {
    public static func exec(_ name: String, _ arguments: [String]) throws -> Never {
        let executable = try locate(name)
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

    public static func locate(_ name: String) throws -> String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = me.deletingLastPathComponent().appendingPathComponent(name).path
        if access(sibling, X_OK) == 0 { return sibling }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw UserError(.notFound, "\(name) not found beside particlectl or on PATH; install the particlectl executables together")
    }
}
