import Foundation
import ParticleCore

/// Where the access token came from, in lookup order.
public enum TokenOrigin: String, Sendable, Codable {
    /// `--token-stdin`: the first line of standard input.
    case stdin
    /// The `PARTICLE_AUTH` environment variable.
    case environment
    /// particlectl's config file (written by `particlectl login`).
    case config
    /// particle-cli's `~/.particle/<profile>.config.json`, read only.
    case particleCLI = "particle-cli"
}

/// A token and where it was found. `description` never shows the token.
public struct ResolvedToken: Sendable, Equatable, CustomStringConvertible {
    public var token: String
    public var origin: TokenOrigin
    public var description: String { "token from \(origin.rawValue)" }
}

/// Finds the access token: `--token-stdin`, then `PARTICLE_AUTH`, then particlectl's config file, then
/// particle-cli's config (read only). Tokens are never taken from command-line arguments.
public struct TokenLookup: Sendable {
    public static let environmentVariable = "PARTICLE_AUTH"

    public var stdinToken: String?
    public var environment: [String: String]
    public var config: ConfigFile

    public init(stdinToken: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                config: ConfigFile? = nil) {
        self.stdinToken = stdinToken
        self.environment = environment
        self.config = config ?? ConfigFile.defaultLocation(environment: environment)
    }

    /// The first token found, or nil.
    public func resolve() throws -> ResolvedToken? {
        if let token = stdinToken.map(Self.clean), !token.isEmpty { return ResolvedToken(token: token, origin: .stdin) }
        if let token = environment[Self.environmentVariable].map(Self.clean), !token.isEmpty {
            return ResolvedToken(token: token, origin: .environment)
        }
        if let token = try config.load()?.accessToken.map(Self.clean), !token.isEmpty {
            return ResolvedToken(token: token, origin: .config)
        }
        if let token = particleCLIToken(), !token.isEmpty { return ResolvedToken(token: token, origin: .particleCLI) }
        return nil
    }

    /// The token, or `MissingCloudInput(.accessToken)` (exit 5).
    public func require() throws -> ResolvedToken {
        guard let found = try resolve() else {
            throw MissingCloudInput(.accessToken)
        }
        return found
    }

    /// particle-cli's home: first of `$home`, `$HOME`, `$HOMEPATH`, `$USERPROFILE`.
    var particleCLIFolder: String? {
        for key in ["home", "HOME", "HOMEPATH", "USERPROFILE"] {
            if let value = environment[key], !value.isEmpty { return value + "/.particle" }
        }
        return nil
    }

    func particleCLIToken() -> String? {
        guard let folder = particleCLIFolder else { return nil }
        struct Profile: Decodable { var name: String? }
        struct Settings: Decodable { var access_token: String? }
        var profile = "particle"
        if let data = FileManager.default.contents(atPath: folder + "/profile.json"),
           let name = (try? JSONDecoder().decode(Profile.self, from: data))?.name,
           !name.isEmpty, !name.contains("/") {
            profile = name
        }
        guard let data = FileManager.default.contents(atPath: "\(folder)/\(profile).config.json") else { return nil }
        return (try? JSONDecoder().decode(Settings.self, from: data))?.access_token.map(Self.clean)
    }

    static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
