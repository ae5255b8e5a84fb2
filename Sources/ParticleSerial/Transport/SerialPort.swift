import CSerial
import Glibc
import ParticleCore
import SystemPackage

/// A serial port opened the way a Particle device needs it: no controlling terminal, exclusive, raw 8N1 without flow
/// control, DTR asserted, input left over from before the open discarded. Every read and write takes a deadline.
///
/// Not Sendable: one task or thread owns a port. It is closed by `close()` or when the value goes away; closing
/// restores no settings (the next open sets them all again).
public final class SerialPort {
    /// Speed the listening-mode console uses. Any speed works for data; two are signals (`MagicSpeed`).
    public static let defaultSpeed: UInt32 = 9600

    public let path: String
    private var descriptor: FileDescriptor?
    /// When set, a wait in `read`/`write` gives up with `.cancelled` as soon as the signal fires (task cancellation
    /// reaching a thread blocked in `poll`).
    public var cancellation: CancellationSignal?
    /// True when this port set the tty's exclusive mode (and so lifts it on close). Never true for a mode set by
    /// another program: that one is left alone.
    private var ownsExclusiveMode = false

    /// Opens `path`. `exclusive` makes other processes' opens fail (TIOCEXCL) and takes an advisory lock that is
    /// respected even by root. A port that another program holds in exclusive mode is refused (`.busy`) even when
    /// root's open succeeds despite that mode: root would otherwise share the port, and lifting the mode on close
    /// would take the other program's exclusivity away.
    public init(path: String, speed: UInt32 = SerialPort.defaultSpeed, exclusive: Bool = true) throws(SerialPortError) {
        self.path = path
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readWrite, options: [.nonBlocking, .closeOnExec, SerialPort.noControllingTerminal])
        } catch let errno as Errno {
            throw SerialPortError(errno: errno, port: path)
        } catch {
            throw SerialPortError(.system(.ioError), port: path)
        }
        descriptor = fd
        do {
            if exclusive {
                if flock(fd.rawValue, LOCK_EX | LOCK_NB) != 0 { throw SerialPortError(.busy, port: path) }
                if Self.isExclusive(fd) { throw SerialPortError(.busy, port: path) }
                // Not every tty supports exclusive mode (emulated ones do not); the lock above still holds.
                ownsExclusiveMode = cserial_set_exclusive(fd.rawValue, 1) == 0
            }
            try configure(speed: speed)
            // Output produced before we opened is stale; a device in listening mode answers anew.
            _ = cserial_flush(fd.rawValue)
            // Gen 3/4 devices send nothing until DTR is up. A pty has no modem lines: ignore the refusal there.
            if cserial_assert_dtr(fd.rawValue) != 0 {
                let error = Errno(rawValue: errno)
                if error != .inappropriateIOCTLForDevice && error != .invalidArgument {
                    throw SerialPortError(errno: error, port: path)
                }
            }
        } catch let error as SerialPortError {
            close()
            throw error
        } catch {
            close()
            throw SerialPortError(.system(.ioError), port: path)
        }
    }

    /// `TIOCGEXCL` (Linux, `_IOR('T', 0x40, int)`): whether the tty is in exclusive mode. Not imported from the C
    /// headers (a function-like macro), so spelled out.
    static let getExclusiveRequest: UInt = 0x8004_5440

    /// Whether some open file of this tty set exclusive mode. False when the driver cannot tell (emulated ttys).
    static func isExclusive(_ fd: FileDescriptor) -> Bool {
        var value: CInt = 0
        return ioctl(fd.rawValue, getExclusiveRequest, &value) == 0 && value != 0
    }

    /// O_NOCTTY: opening a tty must never make it our controlling terminal (swift-system has no name for it).
    static let noControllingTerminal = FileDescriptor.OpenOptions(rawValue: O_NOCTTY)

    deinit { close() }

    /// The raw descriptor, for `poll` alongside other descriptors.
    public var fileDescriptor: FileDescriptor? { descriptor }

    /// Changes the line speed. The speeds 14400 and 28800 are signals to a Particle device (see `MagicSpeed`).
    public func setSpeed(_ speed: UInt32) throws(SerialPortError) {
        let fd = try open()
        if cserial_set_speed(fd.rawValue, speed) != 0 {
            let error = Errno(rawValue: errno)
            if error == .inappropriateIOCTLForDevice || error == .invalidArgument {
                throw SerialPortError(.speedRejected(speed), port: path)
            }
            throw SerialPortError(errno: error, port: path)
        }
    }

    /// Waits until bytes arrive or the deadline passes, then returns what is there (at most `maximumCount`).
    /// Throws `.timedOut` when nothing arrived in time and `.disappeared` when the device went away.
    public func read(maximumCount: Int = 4096, deadline: MonotonicDeadline) throws(SerialPortError) -> [UInt8] {
        let fd = try open()
        while true {
            try waitFor(Int16(POLLIN), on: fd, deadline: deadline)
            var bytes = [UInt8](repeating: 0, count: maximumCount)
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress, $0.count) }
            if count > 0 { return Array(bytes.prefix(count)) }
            if count == 0 { throw SerialPortError(.disappeared, port: path) }
            let error = Errno(rawValue: errno)
            if error == .interrupted || error == .wouldBlock || error == .resourceTemporarilyUnavailable { continue }
            throw SerialPortError(errno: error, port: path)
        }
    }

    /// Writes every byte before the deadline.
    public func write(_ bytes: some Collection<UInt8>, deadline: MonotonicDeadline) throws(SerialPortError) {
        let fd = try open()
        let all = Array(bytes)
        var offset = 0
        while offset < all.count {
            let count = all.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd.rawValue, base + offset, buffer.count - offset)
            }
            if count >= 0 {
                offset += count
                continue
            }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            if error == .wouldBlock || error == .resourceTemporarilyUnavailable {
                try waitFor(Int16(POLLOUT), on: fd, deadline: deadline)
                continue
            }
            throw SerialPortError(errno: error, port: path)
        }
    }

    /// Drops any input received and not yet read.
    public func discardInput() {
        guard let fd = descriptor else { return }
        _ = cserial_flush(fd.rawValue)
    }

    /// Closes the port (idempotent). Exclusive mode, when this port set it, is lifted so the next open succeeds.
    public func close() {
        guard let fd = descriptor else { return }
        descriptor = nil
        if ownsExclusiveMode { _ = cserial_set_exclusive(fd.rawValue, 0) }
        ownsExclusiveMode = false
        try? fd.close()
    }

    // MARK: - Private

    private func open() throws(SerialPortError) -> FileDescriptor {
        guard let descriptor else { throw SerialPortError(.system(.badFileDescriptor), port: path) }
        return descriptor
    }

    /// Raw mode at `speed`: termios2 first (any speed); a tty that does not know termios2 (an emulated one) gets the
    /// classic termios call, which can only do the standard speeds.
    private func configure(speed: UInt32) throws(SerialPortError) {
        guard let fd = descriptor else { throw SerialPortError(.system(.badFileDescriptor), port: path) }
        if cserial_make_raw(fd.rawValue, speed) == 0 { return }
        let first = Errno(rawValue: errno)
        guard first == .inappropriateIOCTLForDevice || first == .invalidArgument else {
            throw SerialPortError(errno: first, port: path)
        }
        guard let standard = Self.standardSpeed(speed) else { throw SerialPortError(.speedRejected(speed), port: path) }
        var settings = termios()
        guard tcgetattr(fd.rawValue, &settings) == 0 else { throw SerialPortError(.notASerialPort, port: path) }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        cfsetispeed(&settings, standard)
        cfsetospeed(&settings, standard)
        guard tcsetattr(fd.rawValue, TCSANOW, &settings) == 0 else {
            throw SerialPortError(errno: Errno(rawValue: errno), port: path)
        }
    }

    private static func standardSpeed(_ speed: UInt32) -> speed_t? {
        switch speed {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        default: nil
        }
    }

    private func waitFor(_ events: Int16, on fd: FileDescriptor, deadline: MonotonicDeadline) throws(SerialPortError) {
        var entries = [pollfd(fd: fd.rawValue, events: events, revents: 0)]
        if let wake = cancellation?.pollEntry { entries.append(wake) }
        while true {
            if cancellation?.isFired == true { throw SerialPortError(.cancelled, port: path) }
            for index in entries.indices { entries[index].revents = 0 }
            let ready = poll(&entries, nfds_t(entries.count), deadline.remainingMilliseconds)
            if ready > 0 {
                if cancellation?.isFired == true { throw SerialPortError(.cancelled, port: path) }
                if entries[0].revents & Int16(POLLNVAL) != 0 { throw SerialPortError(.disappeared, port: path) }
                // POLLHUP/POLLERR: let read/write report what exactly happened.
                if entries[0].revents != 0 { return }
                continue
            }
            if ready == 0 { throw SerialPortError(.timedOut, port: path) }
            let error = Errno(rawValue: errno)
            if error != .interrupted { throw SerialPortError(errno: error, port: path) }
        }
    }
}
