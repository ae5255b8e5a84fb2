import AsyncHTTPClient
import Foundation
import NIOCore
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// Faults of the fault matrix (issue 11) on the cloud side: stalled and oversized bodies, a stream that will not
/// open, a stream the cloud closes, typed network errors, rejected tokens from the environment, hostile text.
@Suite(.serialized) struct CloudFaultTests {
    @Test func stalledBodyEndsAsTimedOutNamingTheRequest() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.stallBodies = 1
        await fake.cloud.setFaults(faults)
        let configuration = CloudConfiguration(baseURL: fake.url, token: token, retry: .none, requestTimeout: 0.5)
        let started = Date()
        do {
            _ = try await CloudClient.with(configuration) { client in try await client.devices().list() }
            Issue.record("a stalled body was read to an end")
        } catch let error as CloudError {
            #expect(error.exitStatus == .timedOut)
            #expect(error.message == "the reply from \(fake.url) stalled: no data for 0.5 s (GET /v1/devices); check the network and try again")
        }
        #expect(Date().timeIntervalSince(started) < 5)
        // The next request is served normally (with an ordinary timeout: a loaded machine may take over 0.5 s).
        var normal = configuration
        normal.requestTimeout = 20
        #expect(try await CloudClient.with(normal) { client in try await client.devices().list() }.count == 2)
    }

    @Test func oversizedReplyIsTooLargeNotUnreachable() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        var faults = FakeCloudFaults()
        faults.oversizedReplies = 1
        await fake.cloud.setFaults(faults)
        // Room for 17 MB over loopback on a loaded machine: what is checked is the size limit, not the deadline.
        var configuration = fake.configuration(token: token)
        configuration.requestTimeout = 120
        do {
            _ = try await CloudClient.with(configuration) { client in try await client.devices().list() }
            Issue.record("a 17 MB reply was accepted")
        } catch let error as CloudError {
            #expect(error.kind == .badReply)
            #expect(error.exitStatus == .remoteError)
            #expect(error.message == "the reply from \(fake.url) is larger than 16 MB (GET /v1/devices); check the API URL")
            #expect(error.advice == .checkAPIURL)
        }
    }

    @Test func openingTheStreamIsRetriedOn503() async throws {
        var faults = FakeCloudFaults()
        faults.streamErrors = 2
        let fake = try await FakeCloudFixture.start(faults: faults)
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        let lines = Lines()
        try await CloudClient.with(fake.configuration(token: token, transcript: { lines.append($0) })) { client in
            let subscription = try await client.events.subscribe(
                EventFilter(prefix: "retry"), options: StreamOptions(reconnectDelay: 0.05, openRetries: 3))
            defer { subscription.cancel() }
            try await client.events.publish(name: "retry-ok", data: "1")
            #expect(try await subscription.first(timeout: 5) { _ in true }.data == "1")
        }
        #expect(await fake.requests().filter { $0.path == "/v1/devices/events/retry" }.map(\.status) == [503, 503, 200])
        #expect(lines.all.filter { $0.hasPrefix("event stream not open (HTTP 503); retrying in ") }.count == 2)
    }

    @Test func withoutOpenRetriesA503FailsTheSubscribeCall() async throws {
        var faults = FakeCloudFaults()
        faults.streamErrors = 1
        let fake = try await FakeCloudFixture.start(faults: faults)
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        do {
            _ = try await fake.with(token: token) { client in
                try await client.events.subscribe(EventFilter(prefix: "x"), options: StreamOptions(reconnectDelay: 0.05))
            }
            Issue.record("a 503 opened the stream")
        } catch let error as CloudError {
            #expect(error.status == 503)
        }
    }

    @Test func aHealthyStreamClosedByTheCloudIsReopenedAtOnce() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            // A back-off would wait at least 2.5 s (half of 5 s); an immediate reconnect takes milliseconds.
            let subscription = try await client.events.subscribe(EventFilter(prefix: "gap"), options: StreamOptions(reconnectDelay: 5))
            defer { subscription.cancel() }
            try await client.events.publish(name: "gap-before", data: "1")
            #expect(try await subscription.first(timeout: 5) { _ in true }.name == "gap-before")
            await fake.cloud.dropStreams()
            let dropped = Date()
            #expect(await eventually(2) { await fake.cloud.openStreams == 1 })
            #expect(Date().timeIntervalSince(dropped) < 1)
            try await client.events.publish(name: "gap-after", data: "2")
            #expect(try await subscription.first(timeout: 5) { $0.name == "gap-after" }.data == "2")
        }
        #expect(await fake.requests().filter { $0.path == "/v1/devices/events/gap" }.count == 2)
    }

    @Test func networkFailuresAreClassifiedFromTypedErrors() {
        #expect(NetworkFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .refused)
        #expect(NetworkFailure(IOError(errnoCode: ECONNRESET, reason: "read")) == .closed)
        #expect(NetworkFailure(HTTPClientError.readTimeout) == .timedOut)
        #expect(NetworkFailure(HTTPClientError.deadlineExceeded) == .timedOut)
        #expect(NetworkFailure(HTTPClientError.remoteConnectionClosed) == .closed)
        #expect(NetworkFailure(HTTPClientError.invalidURL) == .invalidURL)
        #expect(NetworkFailure(NIOTooManyBytesError(maxBytes: 42)) == .tooLarge(limit: 42))
        #expect(NetworkFailure(BodyReader.Failure.stalled(seconds: 3)) == .stalled(seconds: 3))
        #expect(NetworkFailure(ChannelError.connectTimeout(.seconds(1))) == .timedOut)
        // Text that merely mentions "refused" is not a refused connection any more.
        struct Odd: Error, CustomStringConvertible { var description: String { "connection refused by policy" } }
        #expect(NetworkFailure(Odd()) == .other)
    }

    @Test func aRejectedTokenFromTheEnvironmentNamesTheVariable() {
        let body = Array(#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#.utf8)
        let error = CloudError.fromReply(status: 401, body: body)
        #expect(error.attributed(to: .config).message
            == "the cloud rejected the access token (HTTP 401: The access token provided is invalid.); run `particlectl login`")
        #expect(error.attributed(to: .environment).message
            == "the cloud rejected the access token from PARTICLE_AUTH (HTTP 401: The access token provided is invalid.); set PARTICLE_AUTH to a valid token, or unset it to use the one `particlectl login` stores")
        #expect(error.attributed(to: .environment).exitStatus == .authentication)
        // Not every authentication error is about the token.
        let scope = CloudError.fromReply(status: 400, body: Array(#"{"error":"unauthorized"}"#.utf8))
        #expect(scope.attributed(to: .environment) == scope)
    }

    @Test func apiErrorMessagesAreEscapedForTheTerminal() {
        let body = Array(#"{"ok":false,"error":"Unknown Variable: \u001b]0;pwned\u0007\u001b[2J"}"#.utf8)
        let error = CloudError.fromReply(status: 404, body: body)
        #expect(error.apiMessage == #"Unknown Variable: \x1b]0;pwned\x07\x1b[2J"#)
        #expect(error.message == #"not found (HTTP 404: Unknown Variable: \x1b]0;pwned\x07\x1b[2J); check the name or ID"#)
        #expect(!error.message.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func malformedAPIURLsAreRefused() {
        #expect(APIBaseURL.problem("https://api.particle.io") == nil)
        #expect(APIBaseURL.problem("http://127.0.0.1:9090") == nil)
        #expect(APIBaseURL.problem("http://localhost:9090/") == nil)
        #expect(APIBaseURL.problem("ftp://api.particle.io")
            == #""ftp://api.particle.io" uses ftp://; the API URL must start with http:// or https://"#)
        #expect(APIBaseURL.problem("not a url")
            == #""not a url" is not a URL; expected http(s)://HOST[:PORT], e.g. https://api.particle.io"#)
        #expect(APIBaseURL.problem("http://") == #""http://" has no host; expected http(s)://HOST[:PORT]"#)
        #expect(APIBaseURL.problem("http://:9090") == #""http://:9090" has no host; expected http(s)://HOST[:PORT]"#)
        #expect(APIBaseURL.problem("https://api.particle.io?x=1") != nil)
        #expect(APIBaseURL.problem("http://host name") != nil)
    }
}
