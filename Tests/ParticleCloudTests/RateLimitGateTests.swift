import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// One rate-limit back-off per client: a 429 holds back every request of the client (16 concurrent callers send
/// nothing while the cloud asked to wait), the observer sees the wait, a cancelled waiter leaves at once.
@Suite(.serialized) struct RateLimitGateTests {
    /// Honours `Retry-After` (up to 5 s) with bounded retries.
    static let policy = RetryPolicy(maximumRetries: 3, baseDelay: 0.01, maximumDelay: 5)

    /// The fake cloud refuses one request with `Retry-After: 1` and keeps refusing everything for the next second.
    static func limitedCloud() async throws -> (FakeCloudFixture, token: String) {
        var faults = FakeCloudFaults()
        faults.rateLimits = 1
        faults.retryAfter = 1
        faults.rateLimitWindowMilliseconds = 1000
        let fake = try await FakeCloudFixture.start()
        let token = try await fake.devToken()  // before the faults: logging in is not what is measured
        await fake.cloud.setFaults(faults)
        await fake.cloud.clearRecordedRequests()
        return (fake, token)
    }

    @Test func sixteenCallersSendNothingWhileTheGateIsClosedAndAllSucceedAfterIt() async throws {
        let (fake, token) = try await Self.limitedCloud()
        defer { Task { await fake.stop() } }
        let seen = BackOffs()
        var configuration = fake.configuration(token: token, retry: Self.policy)
        configuration.onBackOff = { seen.append($0) }
        let started = Date()
        let counts = try await CloudClient.with(configuration) { client in
            // The first caller meets the 429 and closes the gate; 15 more arrive while it is closed.
            let lead = Task { try await client.devices().list().count }
            #expect(await eventually(30) { !seen.all.isEmpty })
            let others = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<15 { group.addTask { try await client.devices().list().count } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            return [try await lead.value] + others
        }
        #expect(counts == Array(repeating: 2, count: 16))
        // One 429 (the lead's); nothing reached the cloud during its window; then each of the 16 once.
        let statuses = await fake.requests().map(\.status)
        #expect(statuses == [429] + Array(repeating: 200, count: 16))
        #expect(Date().timeIntervalSince(started) >= 1)
        // The observer saw the whole wait, counted down to 0, for the refused request, without the token.
        let reports = seen.all
        #expect(reports.first?.request == "GET /v1/devices")
        #expect(reports.first.map { $0.seconds > 0.5 && $0.seconds <= 1 } == true)
        #expect(reports.first.map { $0.retry == 1 && $0.maximumRetries == 3 && $0.status == 429 } == true)
        #expect(reports.last?.remaining == 0)
        #expect(reports.map(\.remaining) == reports.map(\.remaining).sorted(by: >))
        #expect(!reports.contains { $0.request.contains(token) })
    }

    @Test func sixteenConcurrentCallersAreEachRefusedAtMostOnceInTheWindow() async throws {
        let (fake, token) = try await Self.limitedCloud()
        defer { Task { await fake.stop() } }
        let seen = BackOffs()
        var configuration = fake.configuration(token: token, retry: Self.policy)
        configuration.onBackOff = { seen.append($0) }
        let counts = try await CloudClient.with(configuration) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 { group.addTask { try await client.devices().list().count } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(counts == Array(repeating: 2, count: 16))
        let statuses = await fake.requests().map(\.status)
        let refused = statuses.filter { $0 == 429 }.count
        // Only requests already on their way when the first 429 came back were refused, each once; all 16 then got
        // through on their first retry (no retry storm: nothing after the first 200 is a 429).
        #expect((1...16).contains(refused))
        #expect(statuses.count == refused + 16)
        #expect(statuses.drop(while: { $0 == 429 }).allSatisfy { $0 == 200 })
        #expect(seen.all.last?.remaining == 0)
    }

    @Test func aCancelledWaiterLeavesAtOnceAndSendsNothing() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        await fake.cloud.clearRecordedRequests()
        let client = CloudClient(fake.configuration(token: token, retry: Self.policy))
        await client.transport.rateLimitGate.close(for: 30)
        let waiting = Task { try await client.devices().list() }
        try await Task.sleep(nanoseconds: 100_000_000)
        let cancelled = Date()
        waiting.cancel()
        let result = await waiting.result
        let seconds = Date().timeIntervalSince(cancelled)
        await client.shutdown()
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(seconds < 1)
        #expect(await fake.requests().isEmpty)
    }

    @Test func theGateKeepsTheLaterOpeningTime() async throws {
        let gate = RateLimitGate()
        #expect(await gate.remaining == 0)
        await gate.close(for: 5)
        await gate.close(for: 1)
        let left = await gate.remaining
        #expect(left > 4 && left <= 5)
    }

    @Test func anOpenGateLetsRequestsThroughAtOnce() async throws {
        let gate = RateLimitGate()
        await gate.close(for: 0)
        let started = Date()
        try await gate.wait()
        #expect(Date().timeIntervalSince(started) < 0.5)
    }
}

/// Collects back-off reports.
final class BackOffs: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [BackOff] = []
    func append(_ report: BackOff) { lock.lock(); storage.append(report); lock.unlock() }
    var all: [BackOff] { lock.lock(); defer { lock.unlock() }; return storage }
}
