import ArgumentParser
import Foundation
import Glibc
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial monitor`
struct SerialMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Print what a device writes to its USB serial port, until interrupted.",
        discussion: """
            Ctrl-C (or SIGTERM) closes the port and exits 0. With --follow, a device that resets or is unplugged \
            is waited for (polled every 250 ms) and monitoring continues. With --json, one object per line: \
            {"line":"…"} plus "time" (ISO 8601) with --timestamps.
            """
    )

    @Option(help: ArgumentHelp("The serial port (default: the only attached Particle device).", valueName: "path"))
    var port: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many seconds, 0.01–86400 (default: run until interrupted).", valueName: "seconds"),
            transform: Seconds.argument)
    var timeout: Seconds?

    @Flag(help: "Keep going when the device goes away: wait for it to come back.")
    var follow = false

    @Flag(help: "Prefix every line with the time it arrived.")
    var timestamps = false

    @Option(help: ArgumentHelp("Append the output to this file instead of stdout.", valueName: "file"))
    var output: String?

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let path = try PortSelection.choose(explicit: port)
        let sink = try Sink(path: output)
        let signals = StopSignals()
        let deadline = timeout.map { MonotonicDeadline($0) }
        var lines = LineAccumulator()
        var announcedWait = false
        while !signals.received, !(deadline?.hasPassed ?? false) {
            guard let serial = try open(path) else {
                if !announcedWait { Terminal.writeError("Waiting for \(path) to come back…") }
                announcedWait = true
                usleep(250_000)
                continue
            }
            announcedWait = false
            let connected = pump(serial, into: sink, lines: &lines, signals: signals, deadline: deadline)
            serial.close()
            if connected { break }
            if let rest = lines.flush() { sink.write(format(rest) + "\n") }
            Terminal.writeError(follow ? "Serial connection closed. Waiting for \(path) to come back…" : "Serial connection closed.")
            announcedWait = true
            if !follow { return }
            usleep(250_000)
        }
        if let rest = lines.flush() { sink.write(format(rest) + "\n") }
    }

    /// Opens the port; nil when it is not there and --follow says to wait for it.
    private func open(_ path: String) throws -> SerialPort? {
        do {
            return try SerialPort(path: path)
        } catch {
            if follow && (error.kind == .notFound || error.kind == .disappeared) { return nil }
            throw error
        }
    }

    /// Copies the device's output until a stop (true) or until the device goes away (false).
    private func pump(_ serial: SerialPort, into sink: Sink, lines: inout LineAccumulator, signals: StopSignals,
                      deadline: MonotonicDeadline?) -> Bool {
        while !signals.received, !(deadline?.hasPassed ?? false) {
            let slice = MonotonicDeadline(millisecondsFromNow: min(250, Int64(deadline?.remainingMilliseconds ?? 250)))
            let bytes: [UInt8]
            do {
                bytes = try serial.read(deadline: slice)
            } catch {
                if error.kind == .timedOut { continue }
                return false
            }
            if timestamps || outputOptions.json {
                for line in lines.append(bytes) { sink.write(format(line) + "\n") }
            } else {
                sink.write(bytes)
            }
        }
        return true
    }

    private func format(_ line: String) -> String {
        let time = timestamps ? Self.timestamp() : nil
        if outputOptions.json { return JSONOutput.line(MonitorLine(line: line, time: time)) }
        return time.map { "[\($0)] \(line)" } ?? line
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    struct MonitorLine: Encodable {
        var line: String
        var time: String?
    }

    /// Where the device's output goes: stdout, or a file opened for appending.
    final class Sink {
        let handle: FileHandle

        init(path: String?) throws {
            guard let path else {
                handle = .standardOutput
                return
            }
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw UserError(.io, "cannot create \(path) — check the folder and its permissions")
                }
            }
            guard let file = FileHandle(forWritingAtPath: path) else {
                throw UserError(.io, "cannot write to \(path) — check its permissions")
            }
            file.seekToEndOfFile()
            handle = file
        }

        func write(_ text: String) { handle.write(Data(text.utf8)) }
        func write(_ bytes: [UInt8]) { handle.write(Data(bytes)) }
    }
}
