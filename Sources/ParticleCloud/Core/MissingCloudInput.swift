import ParticleCore

/// Something the caller must give the cloud client before a request can be made: which thing, as a value, so that
/// each front end names its own option for it (`advice`); the library's line names none.
public struct MissingCloudInput: ParticleError, Equatable {
    public enum What: String, Sendable, Equatable {
        /// No access token was found (exit 5).
        case accessToken
        /// Importing devices needs a product (exit 2).
        case product
        /// An API user needs at least one scope (exit 2).
        case scope
    }

    public var what: What
    /// The caller's words for how to give it (`--product`, "pipe one with --token-stdin"); nil = the library's own.
    public var advice: String?

    public init(_ what: What, advice: String? = nil) {
        self.what = what
        self.advice = advice
    }

    public var exitStatus: ExitStatus { what == .accessToken ? .authentication : .usage }

    public var message: String {
        switch what {
        case .accessToken: "no access token: \(advice ?? "log in, set \(TokenLookup.environmentVariable), or give the client a token")"
        case .product: "importing devices needs a product\(advice.map { " (\($0))" } ?? "")"
        case .scope: "give at least one \(advice ?? "scope") (for example devices:list)"
        }
    }
}
