import Foundation
import ParticleCloud
import ParticleSimulators

/// A fake cloud on 127.0.0.1 (port 0) seeded with the default fixture, and clients for it.
struct FakeCloudFixture {
    let server: FakeCloudServer.Running
    var cloud: FakeCloud { server.cloud }
    var url: String { server.url }

    static func start(faults: FakeCloudFaults = FakeCloudFaults(), keepAlive: Double = 9) async throws -> FakeCloudFixture {
        let cloud = FakeCloud(data: try FakeCloudSeed.data(), faults: faults, keepAliveInterval: keepAlive)
        return FakeCloudFixture(server: try await FakeCloudServer.start(cloud))
    }

    /// A fast retry policy so tests do not sleep for seconds.
    static let quickRetry = RetryPolicy(maximumRetries: 3, baseDelay: 0.01, maximumDelay: 0.05)

    func configuration(token: String?, retry: RetryPolicy = FakeCloudFixture.quickRetry,
                       transcript: (@Sendable (String) -> Void)? = nil) -> CloudConfiguration {
        CloudConfiguration(baseURL: url, token: token, retry: retry, requestTimeout: 10, transcript: transcript)
    }

    /// Logs in as the seeded developer and returns their token.
    func devToken() async throws -> String {
        try await CloudClient.with(configuration(token: nil)) { client in
            try await client.tokens.login(username: "dev@example.com", password: "dev-password").accessToken
        }
    }

    /// Runs `body` with a client holding `token`, then stops nothing (call `stop()` yourself).
    func with<T: Sendable>(token: String?, retry: RetryPolicy = FakeCloudFixture.quickRetry,
                           _ body: (CloudClient) async throws -> T) async throws -> T {
        try await CloudClient.with(configuration(token: token, retry: retry), body)
    }

    func requests() async -> [RecordedRequest] { await cloud.recordedRequests() }

    func lastRequest() async -> RecordedRequest? { await cloud.recordedRequests().last }

    func stop() async { await server.stop() }
}

/// Collects transcript lines.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return await condition()
}
