import Foundation
import Glibc

/// The result of running one of our executables.
struct ToolResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Runs the built `particlectl` (and friends) as a user would: a separate process, real arguments, real exit code.
enum ToolRunner {
    /// The folder holding the built products (the test bundle sits beside the executables).
    static let productsDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["PARTICLECTL_BUILD_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    static var particlectl: String { productsDirectory.appendingPathComponent("particlectl").path }
    static var particlectlSim: String { productsDirectory.appendingPathComponent("particlectl-sim").path }

    /// The package's root folder, for fixtures and scripts.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable arguments…` with an optional stdin text, extra environment and a hard deadline (the process
    /// is killed when it passes, and `timedOut` is set).
    static func run(
        _ executable: String,
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String] = [:],
        timeout: Double = 20
    ) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        let collector = OutputCollector()
        outPipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData, to: .out) }
        errPipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData, to: .err) }
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()

        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        // Drain what is left in the pipes.
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        collector.append(outPipe.fileHandleForReading.readDataToEndOfFile(), to: .out)
        collector.append(errPipe.fileHandleForReading.readDataToEndOfFile(), to: .err)
        let (out, err) = collector.contents
        return ToolResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
    }

    /// Runs particlectl.
    static func particlectl(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                            timeout: Double = 20) throws -> ToolResult {
        try run(particlectl, arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Runs particlectl under umockdev with the given device tree.
    static func particlectl(_ arguments: [String], devices tree: UmockdevTree, scripts: [String: String] = [:],
                            timeout: Double = 20) throws -> ToolResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-\(UUID().uuidString).umockdev")
        try tree.text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var scriptFiles: [URL] = []
        defer { for url in scriptFiles { try? FileManager.default.removeItem(at: url) } }
        // umockdev rejects an empty device file: an empty tree is simply no --device.
        var umockdevArguments = tree.records.isEmpty ? [] : ["--device", file.path]
        for (node, script) in scripts.sorted(by: { $0.key < $1.key }) {
            let scriptFile = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-\(UUID().uuidString).script")
            try script.write(to: scriptFile, atomically: true, encoding: .utf8)
            scriptFiles.append(scriptFile)
            umockdevArguments += ["--script", "\(node)=\(scriptFile.path)"]
        }
        return try run("/usr/bin/umockdev-run", umockdevArguments + ["--", particlectl] + arguments, timeout: timeout)
    }
}

/// Thread-safe accumulation of a child's output.
final class OutputCollector: @unchecked Sendable {
    enum Stream { case out, err }

    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func append(_ data: Data, to stream: Stream) {
        lock.lock(); defer { lock.unlock() }
        switch stream {
        case .out: out.append(data)
        case .err: err.append(data)
        }
    }

    var contents: (String, String) {
        lock.lock(); defer { lock.unlock() }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
