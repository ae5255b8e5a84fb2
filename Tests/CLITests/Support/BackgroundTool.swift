import Foundation
import Glibc

/// A simulator (or any of our executables) running in the background for the length of a test: started with a
/// deadline for its first stdout line, killed by `stop()` (and at the latest when the value is released).
final class BackgroundTool: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let collector = OutputCollector()
    private let lock = NSLock()
    private var stdoutBuffer = Data()

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock(); self.stdoutBuffer.append(data); self.lock.unlock()
        }
        errors.fileHandleForReading.readabilityHandler = { [collector] handle in
            collector.append(handle.availableData, to: .err)
        }
        try process.run()
    }

    deinit { stop() }

    /// The first line the process printed on stdout, waiting up to `timeout` seconds for it.
    func firstLine(timeout: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let buffered = stdoutBuffer
            lock.unlock()
            if let newline = buffered.firstIndex(of: 0x0A) {
                return String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
            }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        throw BackgroundToolError(message: "no first line from \(process.executableURL?.lastPathComponent ?? "?"); stderr: \(stderrText)")
    }

    var stderrText: String { collector.contents.1 }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }
}

struct BackgroundToolError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
