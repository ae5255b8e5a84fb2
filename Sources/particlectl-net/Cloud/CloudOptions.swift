import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// Options shared by every command that talks to the Cloud API.
struct CloudOptions: ParsableArguments {
    @Option(name: .customLong("api-url"),
            help: "Cloud API base URL (default: $PARTICLE_API_URL, else https://api.particle.io).")
    var apiURL: String?

    @Flag(name: .customLong("token-stdin"),
          help: "Read the access token from the first line of stdin (else $PARTICLE_AUTH, then the config file).")
    var tokenStdin = false

    @Flag(name: .long, help: "Print each request and reply status to stderr (never tokens, passwords or bodies).")
    var verbose = false

    @Option(name: [.customLong("token"), .customLong("access-token"), .customLong("auth")], help: .hidden)
    var plainToken: String?

    func validate() throws {
        if plainToken != nil {
            throw ValidationError("""
                tokens are not accepted as arguments (they leak into shell history and `ps`); \
                pipe it with --token-stdin, set PARTICLE_AUTH, or run `particlectl login`
                """)
        }
        // A malformed URL is a usage error found before any request (not "cannot reach" after one).
        if let apiURL {
            if let problem = APIBaseURL.problem(apiURL) { throw ValidationError("--api-url \(problem)") }
        } else if let url = ProcessInfo.processInfo.environment["PARTICLE_API_URL"], !url.isEmpty,
                  let problem = APIBaseURL.problem(url) {
            throw ValidationError("PARTICLE_API_URL \(problem)")
        }
    }
}

/// Where a product's OAuth client secret comes from: stdin or `PARTICLE_CLIENT_SECRET`, never an argument.
struct ClientSecretOptions: ParsableArguments {
    @Flag(name: .customLong("secret-stdin"), help: "Read the OAuth client secret from the first line of stdin (else $PARTICLE_CLIENT_SECRET).")
    var secretStdin = false

    @Option(name: [.customLong("client-secret"), .customLong("secret")], help: .hidden)
    var plainSecret: String?

    func validate() throws {
        if plainSecret != nil {
            throw ValidationError("client secrets are not accepted as arguments; use --secret-stdin or PARTICLE_CLIENT_SECRET")
        }
    }

    func secret(_ input: StandardInput) throws -> String {
        if secretStdin {
            guard let line = try input.nextLine(), !line.isEmpty else {
                throw UserError(.usage, "--secret-stdin given but stdin held no secret")
            }
            return line
        }
        if let value = ProcessInfo.processInfo.environment["PARTICLE_CLIENT_SECRET"], !value.isEmpty { return value }
        throw UserError(.usage, "the OAuth client secret is missing: pipe it with --secret-stdin or set PARTICLE_CLIENT_SECRET")
    }
}
