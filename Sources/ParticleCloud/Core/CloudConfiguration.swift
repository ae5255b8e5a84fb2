import Foundation
import ParticleCore

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
    /// Sees each rate-limit back-off of the client (a 429 closed its `RateLimitGate`): when it starts, about once a
    /// second while it lasts, and with `remaining == 0` when requests flow again. Called on the waiting request's
    /// task; keep it quick.
    public var onBackOff: (@Sendable (BackOff) -> Void)?

    public init(baseURL: String = CloudConfiguration.defaultBaseURL, token: String? = nil,
                retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 45,
                transcript: (@Sendable (String) -> Void)? = nil, onBackOff: (@Sendable (BackOff) -> Void)? = nil) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.transcript = transcript
        self.onBackOff = onBackOff
    }
}

/// Checks an API base URL before any request: `http` or `https`, a host, nothing a base URL cannot hold. Pure.
public enum APIBaseURL {
    /// The reason `text` is not a usable base URL, or nil when it is.
    public static func problem(_ text: String) -> String? {
        guard let colon = text.range(of: "://") else {
            return "\(quoted(text)) is not a URL; expected http(s)://HOST[:PORT], e.g. https://api.particle.io"
        }
        let scheme = text[..<colon.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return "\(quoted(text)) uses \(scheme.isEmpty ? "no scheme" : scheme + "://"); the API URL must start with http:// or https://"
        }
        guard !text.contains(where: { $0.isWhitespace || $0.isNewline }),
              let components = URLComponents(string: text) else {
            return "\(quoted(text)) is not a valid URL; expected http(s)://HOST[:PORT]"
        }
        guard let host = components.host, !host.isEmpty else {
            return "\(quoted(text)) has no host; expected http(s)://HOST[:PORT]"
        }
        if let port = components.port, !(1...65535).contains(port) {
            return "\(quoted(text)): the port must be 1 to 65535"
        }
        guard components.query == nil, components.fragment == nil, components.user == nil, components.password == nil else {
            return "\(quoted(text)) must be a base URL without credentials, query or fragment"
        }
        return nil
    }

    private static func quoted(_ text: String) -> String {
        "\"" + UntrustedText.escaped(text) + "\""
    }
}
