import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl login`.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in with your Particle account and store the access token in particlectl's config file.",
        discussion: """
            The password is prompted without echo, or read with --password-stdin. Accounts with multi-factor \
            authentication are asked for the 6-digit code (--otp, the next stdin line, or a prompt), up to 3 times. \
            The token goes to $XDG_CONFIG_HOME/particlectl/config.json (mode 0600); it is never printed.
            """
    )

    @OptionGroup var credentials: CredentialOptions
    @Option(name: .customLong("expires-in"), help: "Token lifetime in seconds (0 = never expires).")
    var expiresIn = TokensAPI.defaultExpiresIn
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var username: String
        var expires_at: Nullable<String>
        var config: String
    }

    func run() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let config = session.config
        let stored = try? config.load()
        let login = PasswordLogin(credentials: credentials, input: input)
        let (reply, username) = try await session.runAnonymous { client in
            try await login.run(client, storedUsername: stored?.username, expiresIn: expiresIn)
        }
        let expiresAt = expiryDate(afterSeconds: reply.expiresIn)
        try config.save(StoredCredentials(accessToken: reply.accessToken, username: username, accessTokenExpiresAt: expiresAt))
        if output.json {
            printJSON(Result(username: username, expires_at: Nullable(expiresAt), config: config.path))
        } else {
            Terminal.write("Logged in as \(username) (token \(describeExpiry(expiresAt))); saved to \(config.path)")
        }
    }
}
