import ArgumentParser
import ParticleCLISupport
import ParticleCore

/// `particlectl token …`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create and revoke access tokens: user, product (client credentials) and customer tokens.",
        discussion: """
            Token lookup for every cloud command: --token-stdin, then $PARTICLE_AUTH, then particlectl's config \
            file (written by `particlectl login`), then particle-cli's ~/.particle/particle.config.json (read only). \
            Tokens are never accepted as plain arguments.
            """,
        subcommands: [TokenCreate.self, TokenRevoke.self, TokenProduct.self, TokenCustomer.self]
    )
}

/// What the token-printing commands print with --json.
struct TokenResult: Encodable {
    var access_token: String
    var expires_in: Int
    var expires_at: Nullable<String>
}
