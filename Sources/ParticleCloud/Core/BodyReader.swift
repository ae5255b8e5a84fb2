import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads a reply body to its end with two bounds: an idle timeout (no byte for that long = a stalled server) and a
/// size limit. Every body the client reads goes through it, so no read waits forever.
enum BodyReader {
    enum Failure: Error, Equatable {
        /// Nothing arrived for the idle timeout.
        case stalled(seconds: Double)
        /// The body grew past the limit.
        case tooLarge(limit: Int)
    }

    static func read(_ body: HTTPClientResponse.Body, limit: Int, idleTimeout: Double) async throws -> [UInt8] {
        let activity = ActivityClock()
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await buffer in body {
                    activity.touch()
                    guard bytes.count + buffer.readableBytes <= limit else { throw Failure.tooLarge(limit: limit) }
                    bytes += buffer.readableBytesView
                }
                return bytes
            }
            group.addTask {
                await activity.waitUntilIdle(for: idleTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                if Task.isCancelled { throw CancellationError() }
                throw Failure.stalled(seconds: idleTimeout)
            }
            return bytes
        }
    }
}

/// Thread-safe "when did bytes last arrive".
final class ActivityClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date()
    private var any = false

    func touch() {
        lock.lock(); defer { lock.unlock() }
        last = Date()
        any = true
    }

    var idleSeconds: Double {
        lock.lock(); defer { lock.unlock() }
        return Date().timeIntervalSince(last)
    }

    var touched: Bool {
        lock.lock(); defer { lock.unlock() }
        return any
    }

    /// Returns once nothing was touched for `idleTimeout` seconds (or the task is cancelled).
    func waitUntilIdle(for idleTimeout: Double) async {
        while !Task.isCancelled {
            let remaining = idleTimeout - idleSeconds
            if remaining <= 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(min(remaining, 1) * 1_000_000_000) + 1_000_000)
        }
    }
}
