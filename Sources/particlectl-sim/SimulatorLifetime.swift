import Dispatch
import Foundation
import ParticleCore

/// How long a simulator runs: until SIGINT/SIGTERM, or `duration` when given. The signals are taken by dispatch
/// sources (not the default action), so the caller can stop its world cleanly afterwards.
enum SimulatorLifetime {
    static func waitForEnd(duration: Seconds?) async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(()) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let limit = duration?.value
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in stream { return } }
            if let limit {
                group.addTask { try? await Task.sleep(nanoseconds: UInt64(limit * 1_000_000_000)) }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
