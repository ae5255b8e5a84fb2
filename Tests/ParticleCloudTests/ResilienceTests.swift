import Foundation
import Glibc
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// Rate limits, server errors, latency, unreachable cloud: the retry policy seen from the wire.
@Suite(.serialized) struct ResilienceTests {
    @Test func rateLimitBurstIsRetriedHonouringRetryAfter() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.rateLimits = 2
        faults.retryAfter = 0
        await fake.cloud.setFaults(faults)
        await fake.cloud.clearRecordedRequests()
        let lines = Lines()
        let devices = try await CloudClient.with(fake.configuration(token: token, transcript: { lines.append($0) })) { client in
            try await client.devices().list()
        }
        #expect(devices.count == 2)
        #expect(await fake.requests().map(\.status) == [429, 429, 200])
        // Retry-After: 0 was honoured (not the back-off).
        #expect(lines.all.filter { $0.hasPrefix("retry ") } == ["retry 1 in 0.0 s", "retry 2 in 0.0 s"])
    }

    @Test func retryAfterIsCappedByThePolicy() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.rateLimits = 1
        faults.retryAfter = 3600
        await fake.cloud.setFaults(faults)
        let lines = Lines()
        let policy = RetryPolicy(maximumRetries: 2, baseDelay: 0.01, maximumDelay: 0.2)
        _ = try await CloudClient.with(fake.configuration(token: token, retry: policy, transcript: { lines.append($0) })) { client in
            try await client.devices().list()
        }
        #expect(lines.all.contains("retry 1 in 0.2 s"))
    }

    @Test func rateLimitRetriesAreBoundedThenExit1() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.rateLimits = 100
        await fake.cloud.setFaults(faults)
        await fake.cloud.clearRecordedRequests()
        do {
            _ = try await fake.with(token: token) { client in try await client.devices().list() }
            Issue.record("rate limit not reported")
        } catch let error as CloudError {
            #expect(error.kind == .rateLimited)
            #expect(error.exitStatus == .remoteError)
        }
        #expect(await fake.requests().count == 4)  // 1 + maximumRetries (3)
    }

    @Test func serverErrorIsRetriedForGetButNotForPost() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.serverErrors = 1
        await fake.cloud.setFaults(faults)
        await fake.cloud.clearRecordedRequests()
        _ = try await fake.with(token: token) { client in try await client.devices().list() }
        #expect(await fake.requests().map(\.status) == [503, 200])

        await fake.cloud.setFaults(faults)
        await fake.cloud.clearRecordedRequests()
        do {
            _ = try await fake.with(token: token) { client in try await client.devices().call(DeviceReference("gongbot"), "setColor") }
            Issue.record("503 on POST not reported")
        } catch let error as CloudError {
            #expect(error.status == 503)
            #expect(error.exitStatus == .remoteError)
        }
        #expect(await fake.requests().map(\.status) == [503])
    }

    @Test func oauthRateLimitAfterTheLimitIs429() async throws {
        var faults = FakeCloudFaults()
        faults.oauthLimit = 2
        let fake = try await FakeCloudFixture.start(faults: faults)
        defer { Task { await fake.stop() } }
        _ = try await fake.devToken()
        _ = try await fake.devToken()
        do {
            _ = try await fake.with(token: nil, retry: .none) { client in
                try await client.tokens.login(username: "dev@example.com", password: "dev-password")
            }
            Issue.record("third login within the window was allowed")
        } catch let error as CloudError {
            #expect(error.status == 429)
            #expect(error.exitStatus == .remoteError)
        }
    }

    @Test func requestDeadlineTurnsLatencyIntoTimedOut() async throws {
        var faults = FakeCloudFaults()
        faults.latencyMilliseconds = 3000
        let fake = try await FakeCloudFixture.start(faults: faults)
        defer { Task { await fake.stop() } }
        let configuration = CloudConfiguration(baseURL: fake.url, token: "x", retry: .none, requestTimeout: 0.3)
        do {
            _ = try await CloudClient.with(configuration) { client in try await client.devices().list() }
            Issue.record("slow reply did not time out")
        } catch let error as CloudError {
            #expect(error.exitStatus == .timedOut)
        }
    }

    @Test func connectionRefusedIsExit6() async throws {
        // A port that was just free: bind, read the port, close.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        close(fd)
        let configuration = CloudConfiguration(baseURL: "http://127.0.0.1:\(port)", token: "x", retry: .none, requestTimeout: 5)
        do {
            _ = try await CloudClient.with(configuration) { client in try await client.devices().list() }
            Issue.record("connected to a closed port")
        } catch let error as CloudError {
            #expect(error.exitStatus == .io)
            #expect(error.message.contains("connection refused"))
        }
    }
}
