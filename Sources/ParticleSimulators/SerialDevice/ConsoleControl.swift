import Glibc

/// What the other side of a simulated device (its USB control endpoint, simulated by
/// `scripts/test/umockdev-usb.py`) tells its serial console: one line per request on a named pipe.
public enum ConsoleControlCommand: Sendable, Equatable {
    /// START_LISTENING (70) arrived over USB: enter listening mode.
    case listen
    /// STOP_LISTENING (71): leave it.
    case stopListening

    /// `listen` or `stop-listening` (surrounding blanks ignored); nil for anything else.
    public init?(line: some StringProtocol) {
        var text = Substring(line)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        switch text {
        case "listen": self = .listen
        case "stop-listening": self = .stopListening
        default: return nil
        }
    }
}

/// Splits bytes arriving in arbitrary pieces into control commands (a line may come in several reads).
struct ConsoleControlParser {
    private var partial: [UInt8] = []

    /// The commands completed by `bytes`, in order; unknown lines are dropped.
    mutating func feed(_ bytes: [UInt8]) -> [ConsoleControlCommand] {
        var commands: [ConsoleControlCommand] = []
        for byte in bytes {
            if byte == 0x0a {
                if let command = ConsoleControlCommand(line: String(decoding: partial, as: UTF8.self)) {
                    commands.append(command)
                }
                partial.removeAll()
            } else if partial.count < 256 {
                partial.append(byte)
            }
        }
        return commands
    }
}

/// A simulated device's control pipe could not be made or opened.
public struct ControlPipeError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot open the control pipe \(path): \(reason)" }
}

/// The named pipe a simulated device reads its control lines from. Created when missing; opened read-write and
/// non-blocking, so it never reads end-of-file between two writers. Used from the device's own thread only.
final class ConsoleControlPipe {
    let fileDescriptor: Int32
    private var parser = ConsoleControlParser()

    init(path: String) throws(ControlPipeError) {
        var info = stat()
        if stat(path, &info) != 0 {
            guard mkfifo(path, 0o600) == 0 || errno == EEXIST else {
                throw ControlPipeError(path: path, reason: String(cString: strerror(errno)))
            }
        } else if info.st_mode & S_IFMT != S_IFIFO {
            throw ControlPipeError(path: path, reason: "it exists and is not a named pipe")
        }
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ControlPipeError(path: path, reason: String(cString: strerror(errno))) }
        fileDescriptor = fd
    }

    deinit { close(fileDescriptor) }

    /// Every command written since the last call (never blocks).
    func drain() -> [ConsoleControlCommand] {
        var commands: [ConsoleControlCommand] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            commands += parser.feed(Array(buffer.prefix(count)))
        }
        return commands
    }
}
