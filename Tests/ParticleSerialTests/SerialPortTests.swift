import Glibc
import ParticleCore
import ParticleSerial
import ParticleSimulators
import SystemPackage
import Testing

@Suite("SerialPort on a real pseudo-terminal")
struct SerialPortTests {
    @Test func bytesWrittenReachTheDeviceExactly() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        try port.write(Array("i".utf8), deadline: MonotonicDeadline(seconds: 1))
        #expect(pty.readMaster(count: 1) == Array("i".utf8))
        try port.write([0x43, 0x0a, 0x00, 0xff], deadline: MonotonicDeadline(seconds: 1))
        #expect(pty.readMaster(count: 4) == [0x43, 0x0a, 0x00, 0xff])
    }

    @Test func rawModeDeliversCarriageReturnsAndNewlinesUntranslated() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        pty.writeMaster("Your device id is 0123456789abcdef01234567\r\n")
        var received: [UInt8] = []
        let deadline = MonotonicDeadline(seconds: 2)
        while received.count < 44 { received += try port.read(deadline: deadline) }
        #expect(String(decoding: received, as: UTF8.self) == "Your device id is 0123456789abcdef01234567\r\n")
    }

    @Test func readWithoutDataTimesOut() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect(throws: SerialPortError(.timedOut, port: pty.slavePath)) {
            _ = try port.read(deadline: MonotonicDeadline(millisecondsFromNow: 50))
        }
    }

    @Test func outputFromBeforeTheOpenIsDiscarded() throws {
        let pty = try PseudoTerminal()
        pty.writeMaster("stale output\r\n")
        usleep(20_000)
        let port = try SerialPort(path: pty.slavePath)
        pty.writeMaster("fresh")
        let deadline = MonotonicDeadline(seconds: 2)
        var received: [UInt8] = []
        while received.count < 5 { received += try port.read(deadline: deadline) }
        #expect(received == Array("fresh".utf8))
    }

    @Test(arguments: [MagicSpeed.listen, MagicSpeed.dfu])
    func magicSpeedsReachTheDevice(speed: MagicSpeed) throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        #expect(pty.speed == 9600)
        try port.setSpeed(speed.rawValue)
        #expect(pty.speed == speed.rawValue)
        port.close()
        // The setting outlives the client's close, so a simulated device can react after the fact.
        #expect(pty.speed == speed.rawValue)
    }

    @Test func openingAtAMagicSpeedSetsIt() throws {
        let pty = try PseudoTerminal()
        _ = try SerialPort(path: pty.slavePath, speed: 28800)
        #expect(pty.speed == 28800)
    }

    @Test func aSecondOpenIsRefusedAsBusy() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(path: pty.slavePath)
        let error = #expect(throws: SerialPortError.self) { _ = try SerialPort(path: pty.slavePath) }
        #expect(error?.kind == .busy)
        #expect(error?.exitStatus == .io)
        #expect(error?.message.contains(pty.slavePath) == true)
        first.close()
        _ = try SerialPort(path: pty.slavePath)
    }

    @Test func aMissingNodeIsNotFound() {
        let error = #expect(throws: SerialPortError.self) { _ = try SerialPort(path: "/dev/ttyACM-nonexistent") }
        #expect(error?.kind == .notFound)
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message == "/dev/ttyACM-nonexistent does not exist — is the device plugged in? `particlectl serial list` shows the attached devices")
    }

    @Test func aFileThatIsNotATerminalIsRejected() {
        let error = #expect(throws: SerialPortError.self) { _ = try SerialPort(path: "/dev/null") }
        #expect(error?.kind == .notASerialPort)
        #expect(error?.exitStatus == .usage)
    }

    @Test func theDeviceGoingAwayIsReportedAsDisappeared() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        pty.hangUp()
        let error = #expect(throws: SerialPortError.self) { _ = try port.read(deadline: MonotonicDeadline(seconds: 2)) }
        #expect(error?.kind == .disappeared)
        #expect(error?.exitStatus == .io)
    }

    @Test(arguments: [
        (Errno.permissionDenied, SerialPortError.Kind.permissionDenied),
        (Errno.resourceBusy, .busy),
        (Errno.noSuchFileOrDirectory, .notFound),
        (Errno.ioError, .disappeared),
        (Errno.noSuchAddressOrDevice, .disappeared),
    ])
    func errnoMapsToTheErrorAUserUnderstands(errno: Errno, kind: SerialPortError.Kind) {
        #expect(SerialPortError(errno: errno, port: "/dev/ttyACM0").kind == kind)
    }

    @Test func permissionDeniedPointsAtTheUdevRules() {
        let error = SerialPortError(errno: .permissionDenied, port: "/dev/ttyACM0")
        #expect(error.message.contains("udev-rules/"))
        #expect(error.exitStatus == .io)
    }
}
