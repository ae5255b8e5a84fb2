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
    static var particlectlNet: String { productsDirectory.appendingPathComponent("particlectl-net").path }
    static var particlectlSim: String { productsDirectory.appendingPathComponent("particlectl-sim").path }

    /// The package's root folder, for fixtures and scripts.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable arguments…` with an optional stdin text, extra environment and a hard deadline (at least 60 s; the process
    /// is killed when it passes, and `timedOut` is set). Suspends until the process exits: no thread of the
    /// cooperative pool waits for it (its termination handler resumes the caller).
    static func run(
        _ executable: String,
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String] = [:],
        timeout: Double = 20
    ) async throws -> ToolResult {
        // At most a few tools run at once: Swift Testing starts every test together, and dozens of processes on two
        // cores make deadlines measured in seconds meaningless. The tool's own timeout counts from its start.
        await ProcessSlots.shared.acquire()
        defer { Task { await ProcessSlots.shared.release() } }
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
        // Each pipe is read by a thread of its own with poll/read: no FileHandle readability handler, whose dispatch
        // source can outlive the descriptor it watches when tests run many processes at once (a crash in libdispatch).
        let outReader = PipeReader(outPipe.fileHandleForReading.fileDescriptor)
        let errReader = PipeReader(errPipe.fileHandleForReading.fileDescriptor)
        let exit = ExitSignal()
        process.terminationHandler = { ended in exit.signal(ChildExit(reason: ended.terminationReason, status: ended.terminationStatus)) }
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()

        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            exit.markTimedOut()
            kill(pid, SIGKILL)
            // Foundation's Process can miss a child's exit when many run at once (seen in a loaded `make test`: every
            // later tool waited for a process slot forever). Past the deadline, the wait ends either way.
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { exit.signal() }
        }
        // The deadline only guards against a hang (no test expects a tool to be killed): at least 60 s, since a
        // loaded two-core machine has taken over 10 s to start the debug front and its 160 MB sibling.
        DispatchQueue.global().asyncAfter(deadline: .now() + max(timeout, 60), execute: watchdog)
        // A child that ended while Foundation did not notice is seen in /proc (a zombie nobody reaped).
        let unreaped = Task {
            while !Task.isCancelled {
                if let ended = ChildExit.unreaped(pid) { exit.signal(ended); return }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        await exit.wait()
        unreaped.cancel()
        watchdog.cancel()
        // Foundation reaps the child on its own thread and only then marks it ended: between the two, neither it nor
        // /proc tells the status. That window is short.
        var seen = exit.ended
        await eventually(within: 5) {
            seen = exit.ended ?? process.exitSeen
            return seen != nil
        }
        // Read to end of file, but do not wait more than 2 s for a grandchild that may still hold a pipe open.
        let out = await outReader.finish(grace: 2)
        let err = await errReader.finish(grace: 2)
        withExtendedLifetime((outPipe, errPipe)) {}
        return ToolResult(status: seen?.status ?? -1, stdout: String(decoding: out, as: UTF8.self),
                          stderr: String(decoding: err, as: UTF8.self), timedOut: exit.timedOut)
    }

    /// Runs particlectl.
    static func particlectl(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                            timeout: Double = 20) async throws -> ToolResult {
        try await run(particlectl, arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Runs particlectl under umockdev with the given device tree.
    static func particlectl(_ arguments: [String], devices tree: UmockdevTree, scripts: [String: String] = [:],
                            timeout: Double = 20) async throws -> ToolResult {
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
        return try await run("/usr/bin/umockdev-run", umockdevArguments + ["--", particlectl] + arguments, timeout: timeout)
    }
}

/// Thread-safe accumulation of a child's output.
final class OutputCollector: @unchecked Sendable {
    enum Stream { case out, err }

    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var closed: Set<Stream> = []

    /// Both streams reached end of file (an empty read).
    var isClosed: Bool {
        lock.lock(); defer { lock.unlock() }
        return closed.count == 2
    }

    /// Waits until both streams reached end of file: a process that exited may still have its last write in the pipe,
    /// not yet read by the collecting thread. False after `seconds` (a child still holds the pipe).
    func closed(within seconds: Double) async -> Bool {
        await eventually(within: seconds) { isClosed }
    }

    func append(_ data: Data, to stream: Stream) {
        lock.lock(); defer { lock.unlock() }
        if data.isEmpty { closed.insert(stream) }
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

/// Reads one pipe to end of file on a thread of its own (poll with a short period, so that it can stop when told).
final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var stopAt: Date?
    private var done = false
    private var waiter: CheckedContinuation<Data, Never>?

    init(_ descriptor: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&entry, 1, 50)
                if ready > 0 {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count > 0 {
                        lock.withLock { data.append(contentsOf: buffer[0..<count]) }
                        continue
                    }
                    if count < 0 && errno == EINTR { continue }
                    break // end of file (or an error)
                }
                if ready < 0 && errno == EINTR { continue }
                if lock.withLock({ stopAt.map { Date() > $0 } ?? false }) { break }
            }
            let (result, waiter) = lock.withLock { () -> (Data, CheckedContinuation<Data, Never>?) in
                done = true
                let waiter = self.waiter
                self.waiter = nil
                return (data, waiter)
            }
            waiter?.resume(returning: result)
        }
        thread.start()
    }

    /// What was read so far.
    var snapshot: Data { lock.withLock { data } }

    /// Everything read once the pipe reaches end of file, or `grace` seconds from now, whichever comes first.
    func finish(grace: Double) async -> Data {
        await withCheckedContinuation { continuation in
            lock.lock()
            stopAt = Date().addingTimeInterval(grace)
            if done {
                let result = data
                lock.unlock()
                continuation.resume(returning: result)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// A child's exit, awaited: the termination handler signals it, one caller waits for it.
final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false
    private var didTimeOut = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// How the child ended, as the first to see it (Foundation's handler, or /proc) reported it.
    var ended: ChildExit? { lock.withLock { seen } }
    private var seen: ChildExit?

    func signal(_ ended: ChildExit? = nil) {
        lock.lock()
        exited = true
        if seen == nil { seen = ended }
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
    }

    func markTimedOut() {
        lock.lock(); defer { lock.unlock() }
        if !exited { didTimeOut = true }
    }

    var timedOut: Bool {
        lock.lock(); defer { lock.unlock() }
        return didTimeOut
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if exited {
                lock.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// A counting semaphore for child processes, awaited (no thread blocks while waiting for a slot).
actor ProcessSlots {
    static let shared = ProcessSlots(limit: 4)

    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

extension OutputCollector {
    /// Reads `handle` to end of file on a thread of its own, appending to `stream` (an empty append at the end, as
    /// a readability handler would). Replaces FileHandle readability handlers, whose dispatch sources crashed
    /// libdispatch (`_dispatch_event_loop_drain`) with many processes at once.
    func collect(_ handle: FileHandle, to stream: Stream) {
        let descriptor = handle.fileDescriptor
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 { append(Data(buffer[0..<count]), to: stream); continue }
                if count < 0 && errno == EINTR { continue }
                append(Data(), to: stream)
                return
            }
        }
        thread.start()
    }
}
