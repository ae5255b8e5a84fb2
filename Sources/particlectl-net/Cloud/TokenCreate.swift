import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl token create`.
struct TokenCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new user access token and print it to stdout (it is not stored).",
        discussion: "Uses your username and password (and MFA code) like `login`. Default lifetime 90 days."
    )

    @OptionGroup var credentials: CredentialOptions
    @Option(name: .customLong("expires-in"), help: "Lifetime in seconds (default 7776000 = 90 days).")
    var expiresIn: Int?
    @Flag(name: .customLong("never-expires"), help: "Create a token that never expires.")
    var neverExpires = false
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if neverExpires && expiresIn != nil { throw ValidationError("give --expires-in or --never-expires, not both") }
        if let expiresIn, expiresIn <= 0 { throw ValidationError("--expires-in must be positive (or use --never-expires)") }
    }

    func run() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let stored = try? session.config.load()
        let lifetime = neverExpires ? 0 : (expiresIn ?? TokensAPI.defaultExpiresIn)
        let login = PasswordLogin(credentials: credentials, input: input)
        let (reply, _) = try await session.runAnonymous { client in
            try await login.run(client, storedUsername: stored?.username, expiresIn: lifetime)
        }
        let expiresAt = expiryDate(afterSeconds: reply.expiresIn)
        if output.json {
            printJSON(TokenResult(access_token: reply.accessToken, expires_in: reply.expiresIn ?? 0, expires_at: Nullable(expiresAt)))
        } else {
            Terminal.write(reply.accessToken)
            Terminal.writeError("particlectl: new token \(describeExpiry(expiresAt))")
        }
    }
}
