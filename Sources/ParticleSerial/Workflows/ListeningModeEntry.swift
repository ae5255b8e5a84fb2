import ParticleCore

/// Puts a device into listening mode from the host and confirms that its console answers: the 28800-baud signal
/// (Device OS 0.5–5.x), then `i` probes with short waits while the device switches (it may re-enumerate, so the port
/// can vanish for a moment). Device OS 6 has no serial trigger and a Protected device never answers: both end in
/// `ListeningModeError` `.stillNotListening` at the deadline.
public enum ListeningModeEntry {
    /// Signals, probes until the console answers or `timeout` seconds pass, and returns what `i` said.
    public static func enter(port: String, timeout: Double) async throws -> IdentifyReply {
        try await ListeningModeSession.signal(.listen, path: port)
        return try await waitForConsole(port: port, timeout: timeout)
    }

    /// Probes `port` with `i` until the console answers (without sending any signal first).
    public static func waitForConsole(port: String, timeout: Double) async throws -> IdentifyReply {
        let deadline = MonotonicDeadline(seconds: timeout)
        while true {
            let probe = min(1.0, max(0.2, Double(deadline.remainingMilliseconds) / 1000))
            do {
                return try await ListeningModeSession.with(path: port, timeout: probe) { try await $0.identify() }
            } catch let error as ListeningModeError where [.silent, .notConsoleOutput].contains(error.kind) {
                // Not listening yet.
            } catch let error as SerialPortError where [.notFound, .disappeared].contains(error.kind) {
                // Re-enumerating.
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            if deadline.hasPassed {
                throw ListeningModeError(.stillNotListening, port: port, seconds: timeout)
            }
        }
    }
}
