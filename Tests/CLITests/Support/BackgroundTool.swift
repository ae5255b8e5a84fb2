import Foundation
import Glibc

/// A simulator (or any of our executables) running in the background for the length of a test: started with a
/// deadline for its first stdout line, killed by `stop()` (and at the latest when the value is released). Its pipes
/// are read by `PipeReader` threads (not FileHandle readability handlers, whose dispatch sources once crashed
/// libdispatch with many processes at once).
final class BackgroundTool: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let stdoutReader: PipeReader
    private let stderrReader: PipeReader

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        stdoutReader = PipeReader(output.fileHandleForReading.fileDescriptor)
        stderrReader = PipeReader(errors.fileHandleForReading.fileDescriptor)
        try process.run()
        // Our copies of the write ends: closed, so that the readers see end of file when the process exits.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
    }

    deinit { stop() }

    /// The first line the process printed on stdout, waiting up to `timeout` seconds for it.
    func firstLine(timeout: Double = 20) async throws -> String {
        try await line(timeout: timeout) { _ in true }
    }

    /// The first stdout line that satisfies `predicate`, waiting up to `timeout` seconds for it.
    /// Polls with `Task.sleep`: no thread of the cooperative pool is held while waiting (servers in this test
    /// process — the fake cloud, the dashboard — need those threads).
    func line(timeout: Double = 20, where predicate: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = lines.first(where: predicate) { return found }
            guard process.exitSeen == nil else { break }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        if let found = lines.first(where: predicate) { return found }
        throw BackgroundToolError(message: "no matching line from \(process.executableURL?.lastPathComponent ?? "?"); stdout: \(stdoutText.suffix(2000)); stderr: \(stderrText.suffix(2000))")
    }

    /// The complete lines printed on stdout so far.
    var lines: [String] {
        let text = stdoutText
        guard let last = text.lastIndex(of: "\n") else { return [] }
        return text[..<last].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    var stdoutText: String { String(decoding: stdoutReader.snapshot, as: UTF8.self) }
    var stderrText: String { String(decoding: stderrReader.snapshot, as: UTF8.self) }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        if process.exitSeen == nil { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, or nil if it still runs.
    func waitForExit(timeout: Double) async -> Int32? {
        await process.ended(within: timeout)?.status
    }

    func stop() {
        process.terminate()
    }
}

struct BackgroundToolError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
