import Glibc
import ParticleCore

/// Lines read from stdin: tokens, passwords and client secrets piped in (`--token-stdin`, `--password-stdin`,
/// `--secret-stdin`), in order. The one reader of the three executables.
///
/// Only the line ending (`\n` or `\r\n`) is removed — never spaces: a WPA passphrase may begin or end with one.
/// A line is at most `maximumLineLength` bytes and must be UTF-8; EINTR is retried unless SIGINT/SIGTERM arrived
/// (`StopSignals`).
public final class StandardInput {
    public static let maximumLineLength = 4096

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false

    public init(fileDescriptor: Int32 = STDIN_FILENO) {
        descriptor = fileDescriptor
    }

    /// The next line without its line ending; nil at the end of input. The last line needs no line ending.
    public func nextLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return try LineText.decode(line, source: "stdin")
            }
            if buffer.count > Self.maximumLineLength { throw LineText.tooLong(source: "stdin") }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return try LineText.decode(buffer, source: "stdin")
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk.prefix(count)
            } else if count == 0 {
                atEnd = true
            } else if errno == EINTR {
                if StopSignals.received { throw InputInterrupted() }
            } else {
                throw UserError(.io, "cannot read stdin: \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Questions to the person at the terminal: with stdin a terminal, the question goes to stderr (stdout stays clean
/// for `--json`) and the answer comes from stdin; otherwise both go through `/dev/tty`. A secret is read with echo
/// off. The answer is exactly what was typed, without the line ending.
public enum Prompt {
    /// Whether there is a person to ask: stdin is a terminal.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks `question`; throws a usage error naming `hint` when there is no terminal or the input ended.
    public static func ask(_ question: String, secret: Bool, hint: String) throws -> String {
        let useStandardInput = isInteractive
        let fd = useStandardInput ? STDIN_FILENO : open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw UserError(.usage, "no terminal to ask on; \(hint)") }
        defer { if !useStandardInput { close(fd) } }
        let output = useStandardInput ? STDERR_FILENO : fd
        var original = termios()
        let quiet = secret && tcgetattr(fd, &original) == 0
        if quiet {
            var noEcho = original
            noEcho.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(fd, TCSAFLUSH, &noEcho)
        }
        defer {
            if quiet {
                _ = tcsetattr(fd, TCSAFLUSH, &original)
                write(output, "\n")
            }
        }
        write(output, question)
        guard let line = try readLine(fd) else {
            throw UserError(.usage, "no answer (end of input); \(hint)")
        }
        return line
    }

    private static func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            offset += count
        }
    }

    /// One line from a terminal, byte by byte (so nothing after the line is consumed).
    private static func readLine(_ fd: Int32) throws -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 {
                if errno == EINTR && !StopSignals.received { continue }
                if errno == EINTR { throw InputInterrupted() }
                throw UserError(.io, "cannot read the terminal: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes.isEmpty ? nil : try LineText.decode(bytes, source: "the answer") }
            if byte == 0x0a || byte == 0x0d { return try LineText.decode(bytes, source: "the answer") }
            bytes.append(byte)
            if bytes.count > StandardInput.maximumLineLength { throw LineText.tooLong(source: "the answer") }
        }
    }
}

/// SIGINT or SIGTERM arrived while waiting for input.
public struct InputInterrupted: ParticleError, Equatable {
    public init() {}
    public var exitStatus: ExitStatus { .usage }
    public var message: String { "interrupted while waiting for input" }
}

/// Turns a line's bytes into text: a trailing `\r` (of `\r\n`) goes, everything else stays; invalid UTF-8 is refused
/// rather than repaired.
enum LineText {
    static func decode(_ bytes: [UInt8], source: String) throws -> String {
        var slice = bytes[...]
        if slice.last == 0x0d { slice = slice.dropLast() }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw UserError(.usage, "\(source) is not valid UTF-8 text")
        }
        return text
    }

    static func tooLong(source: String) -> UserError {
        UserError(.usage, "\(source): a line is longer than \(StandardInput.maximumLineLength) bytes")
    }
}
