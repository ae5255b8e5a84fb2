import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl logout`.
struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revoke the current access token and forget it.",
        discussion: "Revokes the token in the cloud, then deletes it from particlectl's config file. A token that the cloud already considers invalid is just forgotten."
    )

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var revoked: Bool
        var forgotten: Bool
    }

    func run() async throws {
        let session = CloudSession(cloud)
        let token = try session.token()
        var revoked = true
        do {
            try await CloudClient.with(session.configuration(token: token.token)) { client in
                try await client.tokens.revokeCurrent()
            }
        } catch let error as CloudError where error.kind == .authentication {
            revoked = false  // already invalid: nothing to revoke
        }
        var forgotten = false
        if let stored = try? session.config.load(), stored.accessToken == token.token {
            try session.config.remove()
            forgotten = true
        }
        if output.json {
            printJSON(Result(revoked: revoked, forgotten: forgotten))
        } else {
            let what = revoked ? "Token revoked" : "Token was already invalid"
            Terminal.write(forgotten ? "\(what) and removed from \(session.config.path)." : "\(what).")
        }
    }
}
