import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl token product`.
struct TokenProduct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product",
        abstract: "Print a product bearer token obtained with the product's OAuth client credentials.",
        discussion: "The client secret comes from --secret-stdin or $PARTICLE_CLIENT_SECRET, never an argument."
    )

    @Option(name: .customLong("client-id"), help: "The product's OAuth client ID.")
    var clientID: String
    @OptionGroup var secret: ClientSecretOptions
    @Option(name: .customLong("expires-in"), help: "Lifetime in seconds (default: the cloud's, 90 days).")
    var expiresIn: Int?
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let input = StandardInput()
        let clientSecret = try secret.secret(input)
        let reply = try await CloudSession(cloud, input: input).runAnonymous { client in
            try await client.tokens.clientCredentials(clientID: clientID, secret: clientSecret, expiresIn: expiresIn)
        }
        printToken(reply, json: output.json)
    }
}

/// Prints a freshly issued token: the token alone on stdout (or the JSON), its expiry on stderr.
func printToken(_ reply: TokenReply, json: Bool) {
    let expiresAt = expiryDate(afterSeconds: reply.expiresIn)
    if json {
        printJSON(TokenResult(access_token: reply.accessToken, expires_in: reply.expiresIn ?? 0, expires_at: Nullable(expiresAt)))
    } else {
        Terminal.write(reply.accessToken)
        Terminal.writeError("particlectl: token \(describeExpiry(expiresAt))")
    }
}
