import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl customer create`.
struct CustomerCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a password-less (shadow) customer in a product and print its access token.",
        discussion: """
            With --client-id the product's OAuth client authenticates the call (two-legged; secret from \
            --secret-stdin or $PARTICLE_CLIENT_SECRET); otherwise your access token (a team member's) does.
            """
    )

    @Option(name: .long, help: "Product ID or slug.")
    var product: String
    @Option(name: .long, help: "The customer's email (or unique ID).")
    var email: String
    @Option(name: .customLong("client-id"), help: "The product's OAuth client ID (two-legged creation).")
    var clientID: String?
    @OptionGroup var secret: ClientSecretOptions
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let reply: TokenReply
        if let clientID {
            let clientSecret = try secret.secret(input)
            reply = try await session.runAnonymous { client in
                try await client.customers(product: product).create(email: email, client: (clientID, clientSecret))
            }
        } else {
            reply = try await session.run { client in try await client.customers(product: product).create(email: email) }
        }
        printToken(reply, json: output.json)
    }
}
