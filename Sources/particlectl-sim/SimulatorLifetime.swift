import ParticleCLISupport
import ParticleCore

/// How long a simulator runs: until SIGINT/SIGTERM, or `duration` when given. The signals are taken by
/// `StopSignals` (not the default action), so the caller can stop its world cleanly afterwards.
enum SimulatorLifetime {
    static func waitForEnd(duration: Seconds?) async {
        StopSignals.install()
        let deadline = duration.map { MonotonicDeadline($0) }
        while !StopSignals.received, !(deadline?.hasPassed ?? false), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
