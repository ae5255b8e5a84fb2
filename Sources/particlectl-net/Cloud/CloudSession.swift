import Foundation
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// Turns `CloudOptions` into a configured client: base URL, token lookup, `--verbose` transcript.
struct CloudSession {
    let options: CloudOptions
    let input: StandardInput

    init(_ options: CloudOptions, input: StandardInput = StandardInput()) {
        self.options = options
        self.input = input
    }

    /// `--api-url`, then `PARTICLE_API_URL`, then the real cloud.
    var baseURL: String {
        if let url = options.apiURL { return url }
        if let url = ProcessInfo.processInfo.environment["PARTICLE_API_URL"], !url.isEmpty { return url }
        return CloudConfiguration.defaultBaseURL
    }

    var config: ConfigFile { ConfigFile.defaultLocation() }

    /// The token per the lookup order; exit 5 with a hint when there is none.
    func token() throws -> ResolvedToken {
        let stdinToken = options.tokenStdin ? try input.nextLine() : nil
        if options.tokenStdin && (stdinToken ?? "").isEmpty {
            throw UserError(.usage, "--token-stdin given but stdin held no token")
        }
        let found: ResolvedToken
        do {
            found = try TokenLookup(stdinToken: stdinToken, config: config).require()
        } catch var missing as MissingCloudInput {
            missing.advice = "run `particlectl login`, set PARTICLE_AUTH, or pipe one with --token-stdin"
            throw missing
        }
        if found.origin == .config, let expiry = try? config.load()?.accessTokenExpiresAt,
           let date = Self.parseDate(expiry), date < Date() {
            throw UserError(.authentication, "the stored access token expired on \(expiry); run `particlectl login`")
        }
        return found
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    func configuration(token: String?) -> CloudConfiguration {
        var configuration = CloudConfiguration(baseURL: baseURL, token: token)
        if options.verbose {
            configuration.transcript = { @Sendable line in Terminal.writeError("particlectl: \(line)") }
        }
        return configuration
    }

    /// Runs `body` with an authenticated client. A rejected token is reported with where it came from.
    func run<T: Sendable>(_ body: (CloudClient) async throws -> T) async throws -> T {
        let token = try token()
        return try await attributingRejection(to: token) {
            try await CloudClient.with(configuration(token: token.token), body)
        }
    }

    /// Runs `body`; a "token rejected" error from it names the token's origin (`PARTICLE_AUTH`, stdin …).
    func attributingRejection<T>(to token: ResolvedToken, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CloudError {
            throw error.attributed(to: token.origin).inCommandLineWords
        }
    }

    /// Runs `body` with a client that has no token (login, client credentials).
    func runAnonymous<T: Sendable>(_ body: (CloudClient) async throws -> T) async throws -> T {
        do {
            return try await CloudClient.with(configuration(token: nil), body)
        } catch let error as CloudError {
            throw error.inCommandLineWords
        }
    }
}

extension CloudError {
    /// The library's advice said with this tool's options (`check --api-url / PARTICLE_API_URL`, `pass --otp`).
    var inCommandLineWords: CloudError {
        advised { advice in
            switch advice {
            case .checkAPIURL: "check --api-url"
            case .checkAPIURLAndNetwork: "check --api-url / PARTICLE_API_URL and the network"
            case .oneTimePassword: "pass --otp or answer the prompt"
            }
        }
    }
}

/// Human-readable expiry.
func describeExpiry(_ expiresAt: String?) -> String {
    expiresAt.map { "expires \($0)" } ?? "never expires"
}

/// The ISO 8601 time `seconds` from now, or nil for "never" (0).
func expiryDate(afterSeconds seconds: Int?) -> String? {
    guard let seconds, seconds > 0 else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date().addingTimeInterval(Double(seconds)))
}

/// Encodes JSON output with the shared conventions.
func printJSON<T: Encodable>(_ value: T) {
    Terminal.write(JSONOutput.line(value))
}

