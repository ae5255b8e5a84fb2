import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A reply that arrived with a success status.
public struct CloudReply: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// Sends `CloudRequest`s over one shared `HTTPClient`: adds the headers, applies the retry policy, turns error
/// replies and network failures into `CloudError`. Call `shutdown()` once when done (`CloudClient.with` does).
///
/// A 429 closes the client's one `RateLimitGate`: every request through this transport (from any number of
/// concurrent callers) waits at it before it is sent, so a rate limit slows every caller instead of each retrying on
/// its own. `CloudConfiguration.onBackOff` sees the wait.
public final class CloudTransport: Sendable {
    public let configuration: CloudConfiguration
    /// The client's one rate-limit back-off, shared by every request sent through this transport.
    public let rateLimitGate = RateLimitGate()
    private let http: HTTPClient
    /// Largest reply body read into memory.
    static let maximumBody = 16 << 20

    public init(configuration: CloudConfiguration) {
        self.configuration = configuration
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .seconds(10), read: nil)
        httpConfiguration.redirectConfiguration = .disallow
        // A CLI should fail fast on "connection refused" instead of retrying until the request deadline.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends the request (retrying per the policy) and returns the successful reply; throws `CloudError`.
    public func send(_ request: CloudRequest) async throws -> CloudReply {
        var retries = 0
        while true {
            let response = try await execute(request, timeout: configuration.requestTimeout)
            let status = Int(response.status.code)
            let body = try await collect(response, request: request)
            log("\(status) \(request.method.rawValue) \(request.displayPath)")
            if (200..<300).contains(status) {
                return CloudReply(status: status, body: body)
            }
            let retryAfter = response.headers.first(name: "Retry-After")
            if let wait = configuration.retry.delay(status: status, retriesSoFar: retries, retryAfter: retryAfter,
                                                    isIdempotent: request.isIdempotent) {
                retries += 1
                log("retry \(retries) in \(String(format: "%.1f", wait)) s")
                if status == 429 {
                    // The whole client waits, not this request alone; the next turn waits at the gate.
                    await rateLimitGate.close(for: wait)
                    try await reportBackOff(request, status: status, retry: retries)
                } else {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                }
                continue
            }
            if status == 429, let seconds = retryAfter.flatMap({ RetryPolicy.parseRetryAfter($0) }) {
                // Out of retries here, but the other callers of this client still hold back as the cloud asked.
                await rateLimitGate.close(for: min(seconds, configuration.retry.maximumDelay))
            }
            var error = CloudError.fromReply(status: status, body: body, retryAfter: retryAfter)
            error.replyBody = body
            throw error
        }
    }

    /// Waits for the gate this request closed to open again, telling `onBackOff` about the wait: at once, then about
    /// once a second, and with 0 s remaining at the end. Without an observer it only waits.
    private func reportBackOff(_ request: CloudRequest, status: Int, retry: Int) async throws {
        guard let observer = configuration.onBackOff else {
            try await rateLimitGate.wait()
            return
        }
        let what = "\(request.method.rawValue) \(request.displayPath)"
        let total = await rateLimitGate.remaining
        var remaining = total
        while remaining > 0 {
            observer(BackOff(request: what, status: status, seconds: total, remaining: remaining, retry: retry,
                             maximumRetries: configuration.retry.maximumRetries))
            // To the next whole second left, so a countdown shows 3, 2, 1.
            let fraction = remaining - remaining.rounded(.down)
            let step = fraction > 0.001 ? fraction : min(1, remaining)
            try await Task.sleep(nanoseconds: UInt64(step * 1_000_000_000))
            remaining = await rateLimitGate.remaining
        }
        observer(BackOff(request: what, status: status, seconds: max(total, 0), remaining: 0, retry: retry,
                         maximumRetries: configuration.retry.maximumRetries))
    }

    /// Sends the request and decodes a successful JSON reply.
    public func send<T: Decodable>(_ request: CloudRequest, as type: T.Type) async throws -> T {
        let reply = try await send(request)
        return try Self.decode(type, from: reply.body, what: "\(request.method.rawValue) \(request.displayPath)")
    }

    /// Opens a streaming request (the event stream): returns the response once its head arrived with a success
    /// status; its body is read by the caller. Error replies are read and thrown as `CloudError`.
    public func open(_ request: CloudRequest, connectTimeout: Double) async throws -> HTTPClientResponse {
        let response = try await execute(request, timeout: nil, headTimeout: connectTimeout)
        let status = Int(response.status.code)
        log("\(status) \(request.method.rawValue) \(request.displayPath)")
        guard (200..<300).contains(status) else {
            let body = try await collect(response, request: request)
            let retryAfter = response.headers.first(name: "Retry-After")
            if status == 429, let seconds = retryAfter.flatMap({ RetryPolicy.parseRetryAfter($0) }) {
                await rateLimitGate.close(for: min(seconds, configuration.retry.maximumDelay))
            }
            throw CloudError.fromReply(status: status, body: body, retryAfter: retryAfter)
        }
        return response
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw CloudError.badReply("\(what) did not return the documented JSON")
        }
    }

    private func log(_ line: String) {
        configuration.transcript?(line)
    }

    /// Reads a whole error or success body: no byte for `requestTimeout` seconds = a stalled reply (exit 4), more
    /// than `maximumBody` = a reply too large (exit 1).
    private func collect(_ response: HTTPClientResponse, request: CloudRequest) async throws -> [UInt8] {
        do {
            return try await BodyReader.read(response.body, limit: Self.maximumBody, idleTimeout: configuration.requestTimeout)
        } catch {
            throw mapNetworkError(error, request: request)
        }
    }

    private func execute(_ request: CloudRequest, timeout: Double?, headTimeout: Double? = nil) async throws -> HTTPClientResponse {
        // Nothing is sent while the cloud asked this client to wait (a 429 of any request).
        try await rateLimitGate.wait()
        if Task.isCancelled { throw CancellationError() }
        var http = HTTPClientRequest(url: configuration.baseURL + request.target)
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: "particlectl")
        switch request.authentication {
        case .bearer:
            guard let token = configuration.token, !token.isEmpty else {
                throw MissingCloudInput(.accessToken)
            }
            http.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .basic(let clientID, let secret):
            let encoded = Data("\(clientID):\(secret)".utf8).base64EncodedString()
            http.headers.add(name: "Authorization", value: "Basic \(encoded)")
        case .none:
            break
        }
        switch request.body {
        case .none:
            break
        case .form(let fields):
            http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            http.body = .bytes(ByteBuffer(string: FormField.encode(fields)))
        case .json(let data):
            http.headers.add(name: "Content-Type", value: "application/json")
            http.body = .bytes(ByteBuffer(bytes: data))
        case .multipart(let form):
            http.headers.add(name: "Content-Type", value: form.contentType)
            http.body = .bytes(ByteBuffer(bytes: form.encoded))
        }
        log("\(request.method.rawValue) \(request.displayPath)")
        do {
            if let timeout {
                return try await self.http.execute(http, timeout: .milliseconds(Int64(timeout * 1000)))
            }
            // Streaming: bound only the wait for the reply's head; the body may last as long as the caller wants.
            let limit = headTimeout ?? configuration.requestTimeout
            let prepared = http
            return try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                group.addTask { try await self.http.execute(prepared, deadline: .distantFuture) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(limit * 1_000_000_000))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPClientError.deadlineExceeded
                }
                return response
            }
        } catch {
            throw mapNetworkError(error, request: request)
        }
    }

    func mapNetworkError(_ error: any Error, request: CloudRequest) -> any Error {
        if error is CancellationError || error is CloudError { return error }
        let host = configuration.baseURL
        let what = "\(request.method.rawValue) \(request.displayPath)"
        let failure = NetworkFailure(error)
        switch failure {
        case .timedOut:
            return CloudError(kind: .timedOut, message: "no reply from \(host) in time (\(what)); check the network and try again")
        case .stalled(let seconds):
            return CloudError(kind: .timedOut,
                              message: "the reply from \(host) stalled: no data for \(CloudError.format(seconds)) s (\(what)); check the network and try again")
        case .tooLarge(let limit):
            return CloudError(kind: .badReply,
                              message: "the reply from \(host) is larger than \(limit >> 20) MB (\(what)); \(CloudError.Advice.checkAPIURL.text)",
                              advice: .checkAPIURL)
        case .closed:
            return CloudError(kind: .unreachable, message: "\(host) closed the connection (\(what)); try again")
        case .invalidURL:
            return CloudError(kind: .unreachable, message: "\(host) is not a usable API URL; \(CloudError.Advice.checkAPIURL.text)",
                              advice: .checkAPIURL)
        case .refused, .hostNotFound, .other:
            let reason = failure == .refused ? "connection refused" : failure == .hostNotFound ? "host not found" : "network error"
            return CloudError(kind: .unreachable,
                              message: "cannot reach \(host) (\(reason)); \(CloudError.Advice.checkAPIURLAndNetwork.text)",
                              advice: .checkAPIURLAndNetwork)
        }
    }
}

/// A network failure classified from the typed errors of AsyncHTTPClient and SwiftNIO (never from their text).
enum NetworkFailure: Equatable {
    case timedOut
    case stalled(seconds: Double)
    case tooLarge(limit: Int)
    case closed
    case refused
    case hostNotFound
    case invalidURL
    case other

    init(_ error: any Error) {
        switch error {
        case let failure as BodyReader.Failure:
            switch failure {
            case .stalled(let seconds): self = .stalled(seconds: seconds)
            case .tooLarge(let limit): self = .tooLarge(limit: limit)
            }
        case let tooMany as NIOTooManyBytesError:
            self = .tooLarge(limit: tooMany.maxBytes ?? CloudTransport.maximumBody)
        case let client as HTTPClientError:
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout,
                 .tlsHandshakeTimeout:
                self = .timedOut
            case .remoteConnectionClosed: self = .closed
            case .invalidURL, .emptyHost, .emptyScheme: self = .invalidURL
            default: self = .other
            }
        case let connection as NIOConnectionError:
            if let first = connection.connectionErrors.first {
                self = NetworkFailure(first.error)
            } else if connection.dnsAError != nil || connection.dnsAAAAError != nil {
                self = .hostNotFound
            } else {
                self = .other
            }
        case let io as IOError:
            switch io.errnoCode {
            case ECONNREFUSED: self = .refused
            case ECONNRESET, EPIPE: self = .closed
            case ETIMEDOUT: self = .timedOut
            default: self = .other
            }
        case is SocketAddressError, is SocketAddressError.UnknownHost:
            self = .hostNotFound
        case let channel as ChannelError:
            switch channel {
            case .connectTimeout: self = .timedOut
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: self = .closed
            default: self = .other
            }
        default:
            self = .other
        }
    }
}
