import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl token revoke`.
struct TokenRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke the current access token, or another token of yours read from stdin.",
        discussion: "Without --revoke-stdin the token in use is revoked (it stops working immediately). Use `logout` to also forget it."
    )

    @Flag(name: .customLong("revoke-stdin"), help: "Revoke the token on the first line of stdin (authenticating with the usual token).")
    var revokeStdin = false
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if revokeStdin && cloud.tokenStdin { throw ValidationError("--revoke-stdin and --token-stdin both read stdin; use PARTICLE_AUTH or login for the bearer token") }
    }

    struct Result: Encodable {
        var ok: Bool
        var revoked: String
    }

    func run() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        if revokeStdin {
            guard let target = try input.nextLine(), !target.isEmpty else {
                throw UserError(.usage, "--revoke-stdin given but stdin held no token")
            }
            try await session.run { client in try await client.tokens.revoke(token: target) }
        } else {
            try await session.run { client in try await client.tokens.revokeCurrent() }
        }
        let what = revokeStdin ? "stdin" : "current"
        if output.json { printJSON(Result(ok: true, revoked: what)) } else {
            Terminal.write(revokeStdin ? "Token revoked." : "Current token revoked; run `particlectl login` for a new one.")
        }
    }
}
