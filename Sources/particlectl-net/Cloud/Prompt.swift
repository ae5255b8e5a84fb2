import Foundation
import Glibc
import ParticleCore
import ParticleCLISupport

/// Asks the person at the terminal (`/dev/tty`), with or without echo. Fails with a hint when there is no terminal.
enum Prompt {
    static func ask(_ question: String, secret: Bool, hint: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw UserError(.usage, "no terminal to ask on; \(hint)") }
        defer { close(fd) }
        var original = termios()
        let hasTermios = tcgetattr(fd, &original) == 0
        if secret && hasTermios {
            var quiet = original
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if secret && hasTermios {
                _ = tcsetattr(fd, TCSAFLUSH, &original)
                _ = Glibc.write(fd, "\n", 1)
            }
        }
        _ = question.withCString { Glibc.write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096 {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == 0x0A || byte == 0x0D { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}
