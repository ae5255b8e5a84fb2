import ParticleCore

/// The async face of `ListeningModeClient`, for workflows and station code that drive many devices at once.
///
/// A session owns one open port and one `IOThread`: every blocking call of the dialogue (poll, read, write, the
/// settle pauses) runs on that thread, never on Swift's cooperative pool, so 16 or 64 sessions waiting on slow
/// devices do not starve the rest of the program. Cancelling the calling task wakes the blocked `poll` at once; the
/// call then throws `SerialPortError` with kind `.cancelled`.
///
/// ```swift
/// let session = try await ListeningModeSession(path: "/dev/ttyACM0", timeout: 5)
/// let id = try await session.identify().deviceID
/// try await session.setClaimCode(code)
/// await session.close()
/// ```
public actor ListeningModeSession {
    public nonisolated let path: String
    public nonisolated let timeout: Double
    private let thread: IOThread
    private var client: ListeningModeClient?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Opens `path` (exclusively, 9600 baud, DTR asserted) on the session's own thread. `transcript` receives every
    /// exchange with secrets masked (for `--verbose`); it is called on the session's thread.
    public init(path: String, timeout: Double = 5,
                transcript: (@Sendable (TranscriptEntry) -> Void)? = nil) async throws(SerialPortError) {
        self.path = path
        self.timeout = timeout
        thread = IOThread(name: "serial")
        client = nil
        // From here on the initializer runs on `thread` (an async actor initializer hops to its executor).
        do {
            let client = try ListeningModeClient(path: path, timeout: timeout)
            client.transcript = transcript
            self.client = client
        } catch {
            thread.shutdown()
            throw error
        }
    }

    deinit { thread.shutdown() }

    /// Opens a session, runs `body` with it and closes it again, whatever happens: no descriptor outlives the call.
    public static func with<T: Sendable>(path: String, timeout: Double = 5,
                                         transcript: (@Sendable (TranscriptEntry) -> Void)? = nil,
                                         _ body: (ListeningModeSession) async throws -> T) async throws -> T {
        let session = try await ListeningModeSession(path: path, timeout: timeout, transcript: transcript)
        do {
            let value = try await body(session)
            await session.close()
            return value
        } catch {
            await session.close()
            throw error
        }
    }

    /// Closes the port; later calls fail with a closed-port error. Idempotent.
    public func close() {
        client?.close()
        client = nil
        thread.shutdown()
    }

    // MARK: - Commands (see `ListeningModeClient` for each one's reply)

    public func identify() async throws -> IdentifyReply { try await perform { try $0.identify() } }
    public func mac() async throws -> String { try await perform { try $0.mac() } }
    public func version() async throws -> String { try await perform { try $0.version() } }
    public func inspect() async throws -> SystemInfo { try await perform { try $0.inspect() } }
    public func isClaimed() async throws -> Bool { try await perform { try $0.isClaimed() } }
    public func setClaimCode(_ code: String) async throws { try await perform { try $0.setClaimCode(code) } }
    public func exitListeningMode() async throws { try await perform { try $0.exitListeningMode() } }

    /// `w`: see `ListeningModeClient.configureWiFi`. `ask` runs on the session's thread and may block (a prompt).
    public func configureWiFi(_ credentials: WiFiCredentials,
                              ask: (@Sendable (ListeningModePrompt) -> String?)? = nil) async throws {
        try await perform { try $0.configureWiFi(credentials, ask: ask) }
    }

    /// Runs `body` with the client on the session's thread; cancellation of the calling task interrupts its waits.
    public func perform<T>(_ body: (ListeningModeClient) throws -> T) async throws -> T {
        guard let client else { throw SerialPortError(.system(.badFileDescriptor), port: path) }
        let signal = CancellationSignal()
        client.port.cancellation = signal
        defer { client.port.cancellation = nil }
        return try await withTaskCancellationHandler {
            if Task.isCancelled { throw SerialPortError(.cancelled, port: path) }
            return try body(client)
        } onCancel: {
            signal.fire()
        }
    }

    // MARK: - Line-speed signals

    /// Touches `path` at a magic line speed (see `ListeningModeClient.signal`) on a thread of its own.
    public static func signal(_ speed: MagicSpeed, path: String) async throws(SerialPortError) {
        try await IOThread.run(name: "serial-signal") { () throws(SerialPortError) in
            try ListeningModeClient.signal(speed, path: path)
        }
    }
}
