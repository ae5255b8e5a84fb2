import Foundation

/// Where the Cloud API is and how to talk to it.
public struct CloudConfiguration: Sendable {
    public static let defaultBaseURL = "https://api.particle.io"

    /// `https://api.particle.io`, or a private cloud / the local fake (`http://127.0.0.1:9090`). No trailing slash.
    public var baseURL: String
    /// The bearer token; nil for calls that need none (login).
    public var token: String?
    public var retry: RetryPolicy
    /// Deadline for one HTTP exchange, in seconds (the API answers variables and functions within ~30 s).
    public var requestTimeout: Double
    /// Receives one line per request and reply (`GET /v1/devices`, `200`) for `--verbose`: method, path, status,
    /// never headers, bodies or tokens.
    public var transcript: (@Sendable (String) -> Void)?

    public init(baseURL: String = CloudConfiguration.defaultBaseURL, token: String? = nil,
                retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 45,
                transcript: (@Sendable (String) -> Void)? = nil) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.transcript = transcript
    }
}
