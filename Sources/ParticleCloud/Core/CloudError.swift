import Foundation
import ParticleCore

/// The one error type of the Cloud API client: what the server (or the network) said, and the exit code it maps to.
///
/// `message` is one line meant for a person; it never contains a token or a password.
public struct CloudError: ParticleError, Equatable {
    /// What kind of failure this is; decides the exit code.
    public enum Kind: String, Sendable, Equatable {
        /// The token is missing, expired or invalid, or an API user called outside its scopes (exit 5).
        case authentication
        /// Multi-factor authentication is required: `mfaToken` carries the token for the OTP step (exit 5).
        case mfaRequired
        /// 404: no such device, variable, function, product … (exit 3).
        case notFound
        /// 408: the device did not answer in time, or a local deadline passed (exit 4).
        case timedOut
        /// 429 after the bounded retries (exit 1).
        case rateLimited
        /// Any other error status from the API (exit 1).
        case remote
        /// The API could not be reached: connection refused, reset, DNS (exit 6).
        case unreachable
        /// The reply did not have the documented shape (exit 1).
        case badReply
    }

    public var kind: Kind
    /// The HTTP status, when a reply arrived.
    public var status: Int?
    /// The `error` code of the reply body (`invalid_token`, `mfa_required`, `unauthorized` …), when present.
    public var code: String?
    /// The API's own message (extraction order `error_description`, `error`, `errors[]`, `info`), when present.
    public var apiMessage: String?
    /// For `.mfaRequired`: the opaque token to send with the one-time password.
    public var mfaToken: String?
    /// The raw error reply, for callers that show more than one line of it (a compiler log, say).
    public var replyBody: [UInt8]? = nil
    /// One line saying what happened and what to do.
    public var message: String
    /// What the caller can change to fix it, as a value (a CLI names its own option for it with `advised(_:)`).
    public var advice: Advice?

    /// What a caller can change to cure an error; the library's message says it without naming any option.
    public enum Advice: String, Sendable, Equatable, CaseIterable {
        /// The reply is not what the API sends: the API base URL may point elsewhere.
        case checkAPIURL
        /// The API could not be reached: the API base URL or the network.
        case checkAPIURLAndNetwork
        /// The account needs a one-time password (MFA).
        case oneTimePassword

        /// The library's words for it, ending its messages.
        public var text: String {
            switch self {
            case .checkAPIURL: "check the API URL"
            case .checkAPIURLAndNetwork: "check the API URL and the network"
            case .oneTimePassword: "give the one-time password"
            }
        }
    }

    /// The same error with the advice at the end of its message said in the caller's words (`check --api-url`).
    public func advised(_ words: (Advice) -> String) -> CloudError {
        guard let advice, message.hasSuffix(advice.text) else { return self }
        var error = self
        error.message = String(message.dropLast(advice.text.count)) + words(advice)
        return error
    }

    public init(kind: Kind, status: Int? = nil, code: String? = nil, apiMessage: String? = nil,
                mfaToken: String? = nil, message: String, advice: Advice? = nil) {
        self.kind = kind
        self.advice = advice
        self.status = status
        self.code = code
        self.apiMessage = apiMessage
        self.mfaToken = mfaToken
        self.message = message
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .authentication, .mfaRequired: .authentication
        case .notFound: .notFound
        case .timedOut: .timedOut
        case .rateLimited, .remote, .badReply: .remoteError
        case .unreachable: .io
        }
    }

    /// Builds the error for an HTTP error reply from its status and body bytes (pure: tested on recorded bodies).
    public static func fromReply(status: Int, body: [UInt8], retryAfter: String? = nil) -> CloudError {
        let decoded = ErrorBody.decode(body)
        let apiMessage = decoded.message
        let code = decoded.code
        let said = apiMessage.map { ": \($0)" } ?? ""
        if code == "mfa_required" {
            return CloudError(kind: .mfaRequired, status: status, code: code, apiMessage: apiMessage,
                              mfaToken: decoded.mfaToken,
                              message: "this account needs a one-time password (MFA); \(Advice.oneTimePassword.text)",
                              advice: .oneTimePassword)
        }
        if status == 401 || code == "invalid_token" || code == "expired_token" {
            return CloudError(kind: .authentication, status: status, code: code, apiMessage: apiMessage,
                              message: "the cloud rejected the access token (HTTP \(status)\(said)); run `particlectl login`")
        }
        if code == "unauthorized" {
            return CloudError(kind: .authentication, status: status, code: code, apiMessage: apiMessage,
                              message: "not allowed for this token (HTTP \(status)\(said)); use a token with the needed scope")
        }
        if code == "invalid_grant" {
            return CloudError(kind: .authentication, status: status, code: code, apiMessage: apiMessage,
                              message: "login refused (HTTP \(status)\(said)); check the username, password or code")
        }
        if code == "invalid_client" {
            return CloudError(kind: .authentication, status: status, code: code, apiMessage: apiMessage,
                              message: "client credentials refused (HTTP \(status)\(said)); check the client ID and secret")
        }
        switch status {
        case 404:
            return CloudError(kind: .notFound, status: status, code: code, apiMessage: apiMessage,
                              message: "not found (HTTP 404\(said)); check the name or ID")
        case 408:
            return CloudError(kind: .timedOut, status: status, code: code, apiMessage: apiMessage,
                              message: "the device did not answer in time (HTTP 408\(said)); is it online? check with `particlectl cloud device`")
        case 429:
            let wait = retryAfter.map { " (server asked to wait \($0) s)" } ?? ""
            return CloudError(kind: .rateLimited, status: status, code: code, apiMessage: apiMessage,
                              message: "rate limited by the cloud (HTTP 429)\(wait); wait a few minutes and try again")
        case 403:
            return CloudError(kind: .remote, status: status, code: code, apiMessage: apiMessage,
                              message: "permission denied (HTTP 403\(said)); check that the device or product is yours")
        case 500...:
            return CloudError(kind: .remote, status: status, code: code, apiMessage: apiMessage,
                              message: "the cloud failed (HTTP \(status)\(said)); try again later")
        default:
            return CloudError(kind: .remote, status: status, code: code, apiMessage: apiMessage,
                              message: "the cloud refused the request (HTTP \(status)\(said))")
        }
    }

    /// Whether the cloud refused the bearer token itself (invalid, expired or revoked), rather than an action.
    public var isRejectedToken: Bool {
        kind == .authentication && (status == 401 || code == "invalid_token" || code == "expired_token")
    }

    /// A rejected token's error, saying where the token came from and what fixes it there (a token from
    /// `PARTICLE_AUTH` overrides the stored one, so "log in again" would not help). Other errors are returned as is.
    public func attributed(to origin: TokenOrigin) -> CloudError {
        guard isRejectedToken else { return self }
        let reply = "HTTP \(status.map(String.init) ?? "401")" + (apiMessage.map { ": \($0)" } ?? "")
        var error = self
        switch origin {
        case .environment:
            error.message = "the cloud rejected the access token from \(TokenLookup.environmentVariable) (\(reply)); set \(TokenLookup.environmentVariable) to a valid token, or unset it to use the one `particlectl login` stores"
        case .stdin:
            error.message = "the cloud rejected the access token read from stdin (\(reply)); pipe a valid token"
        case .particleCLI:
            error.message = "the cloud rejected the access token from particle-cli's config (\(reply)); run `particlectl login` or set \(TokenLookup.environmentVariable)"
        case .config:
            break
        }
        return error
    }

    /// Seconds for a message: `45`, `0.5`.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }

    static func badReply(_ what: String) -> CloudError {
        CloudError(kind: .badReply, message: "unexpected reply from the cloud: \(what); \(Advice.checkAPIURL.text)",
                   advice: .checkAPIURL)
    }
}

/// Decodes the error bodies the Cloud API sends, in all their shapes (pure, never throws, any bytes accepted).
public enum ErrorBody {
    public struct Decoded: Equatable, Sendable {
        /// The `error` field, when it is a string.
        public var code: String?
        /// The best message: `error_description`, `error`, `errors[]` (joined with "; "), then `info`.
        public var message: String?
        /// `mfa_token`, when present.
        public var mfaToken: String?
    }

    public static func decode(_ body: [UInt8]) -> Decoded {
        guard case let .complete(object, _) = JSONValue.parse(body) else { return Decoded() }
        let code = object["error"]?.stringValue
        let description = object["error_description"]?.stringValue
        let errors = object["errors"]?.arrayValue?.compactMap(Self.text(of:)).filter { !$0.isEmpty }
        let info = object["info"]?.stringValue
        let candidates: [String?] = [description, code, errors.flatMap { $0.isEmpty ? nil : $0.joined(separator: "; ") }, info]
        let message = candidates.compactMap { $0 }.first { !$0.isEmpty }.map(Self.oneLine)
        return Decoded(code: code, message: message, mfaToken: object["mfa_token"]?.stringValue)
    }

    private static func text(of value: JSONValue) -> String? {
        value.stringValue ?? value["message"]?.stringValue ?? value["error"]?.stringValue
    }

    /// Keeps a server message to one short, safe line: newlines folded, length bounded, access tokens in URLs
    /// masked, control characters escaped (a cloud must not drive the terminal).
    static func oneLine(_ text: String) -> String {
        var folded = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " / ")
        if let range = folded.range(of: "access_token=") {
            let rest = folded[range.upperBound...]
            let end = rest.firstIndex(where: { !$0.isHexDigit && $0 != "…" }) ?? rest.endIndex
            folded.replaceSubrange(range.upperBound..<end, with: "…")
        }
        if folded.count > 300 { folded = String(folded.prefix(300)) + "…" }
        return UntrustedText.escaped(folded)
    }
}
