import Foundation
import Glibc
import ParticleCLISupport

/// Questions to the person at the terminal: prompts go to stderr (stdout stays clean for `--json`), answers come
/// from stdin; secrets are read with echo off.
enum InteractiveInput {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks a question; nil at end of input.
    static func ask(_ question: String, secret: Bool = false) -> String? {
        FileHandle.standardError.write(Data(question.utf8))
        guard secret, isInteractive else { return readLine(strippingNewline: true) }
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }

    /// The first line of stdin (for `--password-stdin`), without its line ending.
    static func firstLineOfStandardInput() -> String? {
        guard let line = readLine(strippingNewline: true) else { return nil }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }
}
