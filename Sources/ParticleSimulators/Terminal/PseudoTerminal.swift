import CSerial
import Glibc
import SystemPackage

/// A pseudo-terminal pair: the master side for a simulated device, the slave path for the code under test, which
/// opens it like any `/dev/ttyACM*`.
///
/// The simulator keeps one slave descriptor open itself so that settings made by a client (such as a magic line
/// speed) survive the client's close, and so that the master never reads "hang-up" between two clients.
public final class PseudoTerminal: @unchecked Sendable {
    public let master: FileDescriptor
    public let slavePath: String
    private var slave: FileDescriptor?

    public init() throws(Errno) {
        var name = [CChar](repeating: 0, count: 128)
        let fd = cserial_open_pty(&name, name.count)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        master = FileDescriptor(rawValue: fd)
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            slave = try FileDescriptor.open(slavePath, .readWrite, options: [.closeOnExec, FileDescriptor.OpenOptions(rawValue: O_NOCTTY)])
        } catch {
            try? master.close()
            throw (error as? Errno) ?? .ioError
        }
        // Raw from the start: no echo or line editing by the kernel before a client configures the port.
        if let slave { _ = cserial_make_raw(slave.rawValue, 9600) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// The line speed the client last set on the slave (read back through the master).
    public var speed: UInt32? {
        var value: UInt32 = 0
        return cserial_get_speed(master.rawValue, &value) == 0 ? value : nil
    }

    /// Sets the slave's line speed, as a device resetting its USB line coding would.
    public func resetSpeed(_ speed: UInt32 = 9600) {
        if let slave { _ = cserial_set_speed(slave.rawValue, speed) }
    }

    /// Closes both sides: a client reading the slave sees the device disappear (EIO).
    public func hangUp() {
        if let slave { try? slave.close() }
        slave = nil
        try? master.close()
    }
}
