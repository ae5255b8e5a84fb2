import Foundation
import ParticleCore

/// One Cloud API call as a value: method, path, query, body and how to authenticate. Pure; the transport sends it.
public struct CloudRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", put = "PUT", delete = "DELETE" }

    public enum Body: Sendable, Equatable {
        case none
        /// `application/x-www-form-urlencoded`, fields in order.
        case form([FormField])
        /// `application/json`.
        case json(Data)
        /// `multipart/form-data` (firmware sources for flashing and compiling).
        case multipart(MultipartForm)
    }

    public enum Authentication: Sendable, Equatable {
        /// `Authorization: Bearer <the client's token>`; fails before sending when there is no token.
        case bearer
        /// `Authorization: Basic` with OAuth client credentials (for `/oauth/token`).
        case basic(clientID: String, secret: String)
        /// No credentials.
        case none
    }

    public var method: Method
    /// Starts with `/`; every segment already percent-encoded (see `segment(_:)`).
    public var path: String
    public var query: [FormField]
    public var body: Body
    public var authentication: Authentication
    /// Whether repeating the call is harmless, so a 5xx reply may be retried. GET, PUT and DELETE are; POST is not.
    public var isIdempotent: Bool
    /// The path as transcripts and error messages show it (differs from `path` when the path holds a secret).
    public var displayPath: String

    public init(_ method: Method, _ path: String, query: [FormField] = [], body: Body = .none,
                authentication: Authentication = .bearer, isIdempotent: Bool? = nil, displayPath: String? = nil) {
        self.method = method
        self.path = path
        self.displayPath = displayPath ?? path
        self.query = query
        self.body = body
        self.authentication = authentication
        self.isIdempotent = isIdempotent ?? (method != .post)
    }

    /// A JSON body from an `Encodable` value.
    public static func jsonBody<T: Encodable>(_ value: T) -> Body {
        .json(Data((try? JSONOutput.encode(value)) ?? Array("{}".utf8)))
    }

    /// Percent-encodes one path segment (a device name, a product slug, an event prefix …).
    public static func segment(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        allowed.insert(charactersIn: "@+")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The path with its query string.
    public var target: String {
        query.isEmpty ? path : path + "?" + FormField.encode(query)
    }
}

/// A name/value pair of a form body or a query string.
public struct FormField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// `application/x-www-form-urlencoded` (spaces as `%20`, everything but unreserved characters escaped).
    public static func encode(_ fields: [FormField]) -> String {
        fields.map { field in
            let name = field.name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? field.name
            let value = field.value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? field.value
            return "\(name)=\(value)"
        }.joined(separator: "&")
    }

    /// Decodes a form body or a query string (`+` as space); malformed escapes are kept as they are.
    public static func decode(_ text: String) -> [FormField] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func clean(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return FormField(clean(parts[0]), parts.count > 1 ? clean(parts[1]) : "")
        }
    }
}
