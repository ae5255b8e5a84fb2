import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl token customer`.
struct TokenCustomer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "Print an access token scoped to one customer of a product (client credentials, scope customer=EMAIL).",
        discussion: "The client secret comes from --secret-stdin or $PARTICLE_CLIENT_SECRET."
    )

    @Option(name: .customLong("client-id"), help: "The product's OAuth client ID.")
    var clientID: String
    @Option(name: .long, help: "The customer's email (or unique ID).")
    var customer: String
    @OptionGroup var secret: ClientSecretOptions
    @Option(name: .customLong("expires-in"), help: "Lifetime in seconds (default: the cloud's, 90 days).")
    var expiresIn: Int?
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let input = StandardInput()
        let clientSecret = try secret.secret(input)
        let reply = try await CloudSession(cloud, input: input).runAnonymous { client in
            try await client.tokens.clientCredentials(clientID: clientID, secret: clientSecret, customer: customer,
                                                      expiresIn: expiresIn)
        }
        printToken(reply, json: output.json)
    }
}
