import Glibc
import ParticleCore
import ParticleSerial
import ParticleSimulators
import SystemPackage

/// The device side of a pty in tests: read what the code under test wrote, with a deadline.
extension PseudoTerminal {
    /// Reads from the master until `count` bytes arrived or `seconds` passed; returns what arrived.
    func readMaster(count: Int, seconds: Double = 2) -> [UInt8] {
        let deadline = MonotonicDeadline(seconds: seconds)
        var received: [UInt8] = []
        while received.count < count, !deadline.hasPassed {
            var pfd = pollfd(fd: master.rawValue, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, deadline.remainingMilliseconds) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(master.rawValue, $0.baseAddress, $0.count) }
            if n > 0 { received += buffer.prefix(n) } else if n == 0 { break }
        }
        return received
    }

    func writeMaster(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(master.rawValue, $0.baseAddress, $0.count) }
    }
}
