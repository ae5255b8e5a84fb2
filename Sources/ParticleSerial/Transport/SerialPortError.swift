import ParticleCore
import SystemPackage

/// Why a serial port operation failed. Each case names the port and tells the user what to do.
public struct SerialPortError: ParticleError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `open` was refused: the user lacks access to the device node.
        case permissionDenied
        /// Another process holds the port (exclusive mode, a lock, or the kernel says EBUSY).
        case busy
        /// No such device node.
        case notFound
        /// The device went away while open (unplugged, reset, or the other end of a pty closed).
        case disappeared
        /// The deadline passed before the operation completed.
        case timedOut
        /// The path is not a terminal, or it refuses the termios settings we need.
        case notASerialPort
        /// The driver refuses a line speed (for example a magic speed on an emulated tty).
        case speedRejected(UInt32)
        /// The task waiting on the port was cancelled (Ctrl-C, a station stopping a slot).
        case cancelled
        /// Any other system error.
        case system(Errno)
    }

    public var kind: Kind
    /// The device node, as given to `SerialPort.open`.
    public var port: String

    public init(_ kind: Kind, port: String) {
        self.kind = kind
        self.port = port
    }

    /// Maps an errno from open/read/write/ioctl to the error a user understands.
    public init(errno: Errno, port: String) {
        switch errno {
        case .permissionDenied, .notPermitted: kind = .permissionDenied
        case .resourceBusy, .wouldBlock: kind = .busy
        case .noSuchFileOrDirectory: kind = .notFound
        case .ioError, .noSuchAddressOrDevice, .operationNotSupportedByDevice, .brokenPipe: kind = .disappeared
        case .inappropriateIOCTLForDevice, .isDirectory: kind = .notASerialPort
        default: kind = .system(errno)
        }
        self.port = port
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .notFound: .notFound
        case .timedOut: .timedOut
        case .cancelled: .io
        case .notASerialPort, .speedRejected: .usage
        case .permissionDenied, .busy, .disappeared, .system: .io
        }
    }

    public var message: String {
        switch kind {
        case .permissionDenied:
            "permission denied opening \(port) — install the udev rules from udev-rules/ (`make install-udev-rules`), then replug the device"
        case .busy:
            "\(port) is in use by another program (another particlectl, a serial monitor or ModemManager) — close it and retry"
        case .notFound:
            "\(port) does not exist — is the device plugged in? `particlectl serial list` shows the attached devices"
        case .disappeared:
            "\(port) disappeared (device unplugged or reset) — reconnect the device and retry"
        case .timedOut:
            "\(port) did not complete the transfer in time — check the cable and retry"
        case .notASerialPort:
            "\(port) is not a serial port — pass a device node such as /dev/ttyACM0 (see `particlectl serial list`)"
        case .speedRejected(let speed):
            "\(port) does not accept \(speed) baud — this needs a real USB serial port (CDC ACM) or a pseudo-terminal"
        case .cancelled:
            "the exchange with \(port) was cancelled before it completed"
        case .system(let errno):
            "I/O error on \(port): \(errno.description) — reconnect the device and retry"
        }
    }
}
