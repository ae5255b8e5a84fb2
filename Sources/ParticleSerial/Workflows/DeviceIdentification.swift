import ParticleCore
import ParticleHardware

/// Identifies every attached Particle serial device at once: one session (and one I/O thread) per port, all
/// concurrently, each with its own deadline, so one silent device costs `timeout` and not `timeout × N`.
public enum DeviceIdentification {
    /// One port's answer, or why it had none.
    public struct Outcome: Sendable {
        public var port: String
        public var result: Result<IdentifyReply, any Error>
    }

    /// Every normal-mode Particle tty attached now, identified; in listing order. Empty when none is attached.
    public static func identifyAll(timeout: Double) async throws -> [Outcome] {
        let ports = try await DeviceDiscovery.scan().filter { $0.usb?.mode == .normal }.compactMap(\.port)
        return await identify(ports: ports, timeout: timeout)
    }

    /// `ports` identified concurrently, results in the order given.
    public static func identify(ports: [String], timeout: Double) async -> [Outcome] {
        await withTaskGroup(of: (Int, Result<IdentifyReply, any Error>).self) { group in
            for (index, port) in ports.enumerated() {
                group.addTask {
                    do {
                        let identity = try await ListeningModeSession.with(path: port, timeout: timeout) {
                            try await $0.identify()
                        }
                        return (index, .success(identity))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results = [Result<IdentifyReply, any Error>?](repeating: nil, count: ports.count)
            for await (index, result) in group { results[index] = result }
            return ports.enumerated().map { index, port in
                Outcome(port: port, result: results[index] ?? .failure(CancellationError()))
            }
        }
    }
}
