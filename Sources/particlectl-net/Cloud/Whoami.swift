import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl whoami`.
struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show who the access token belongs to and when it expires.",
        discussion: "Calls GET /v1/user and GET /v1/access_tokens/current. Exit 5 when the token is missing, expired or invalid."
    )

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable, Sendable {
        var username: String
        var expires_at: Nullable<String>
        var client: Nullable<String>
        var scopes: [String]
        var token_source: String
    }

    func run() async throws {
        let session = CloudSession(cloud)
        let token = try session.token()
        let result = try await session.attributingRejection(to: token) {
            try await CloudClient.with(session.configuration(token: token.token)) { client in
                let user = try await client.tokens.user()
                let info = try await client.tokens.current()
                return Result(username: user.username, expires_at: Nullable(info.expiresAt),
                              client: Nullable(info.client), scopes: info.scopes ?? [], token_source: token.origin.rawValue)
            }
        }
        if output.json {
            printJSON(result)
        } else {
            Terminal.write("\(UntrustedText.escaped(result.username)) (token from \(result.token_source), \(describeExpiry(result.expires_at.value)))")
        }
    }
}
