import ArgumentParser
import Foundation
import ParticleCore

/// Turns any error into one line on stderr and the README's exit code.
enum ErrorReporter {
    static func report(_ error: any Error) -> Int32 {
        if let error = error as? any ParticleError {
            Terminal.writeError("particlectl: \(error.message)")
            return error.exitStatus.rawValue
        }
        if let code = error as? ExitCode { return code.rawValue }
        // ArgumentParser's own errors: help and version exit 0; everything else is bad usage (2).
        let code = Particlectl.exitCode(for: error)
        let text = Particlectl.fullMessage(for: error)
        if code == .success {
            if !text.isEmpty { Terminal.write(text) }
            return ExitStatus.ok.rawValue
        }
        // Bad usage: one line saying what is wrong and where the help is, not the whole usage block.
        let message = Particlectl.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? text
        Terminal.writeError("particlectl: \(firstLine) (see --help)")
        return ExitStatus.usage.rawValue
    }
}

/// Writes to stdout/stderr without buffering surprises (each call is one line or block, flushed).
enum Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
