import Foundation
import Glibc
import ParticleCore
import Testing
@testable import ParticleCloud

/// The config file (0600, atomic) and the token lookup order, in a temporary home.
@Suite struct CredentialsTests {
    let home: String

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }

    @Test func saveWritesMode0600AndReadsBack() throws {
        let file = ConfigFile(path: home + "/cfg/particlectl/config.json")
        let stored = StoredCredentials(accessToken: String(repeating: "a", count: 40), username: "dev@example.com",
                                       accessTokenExpiresAt: nil)
        try file.save(stored)
        #expect(mode(file.path) == 0o600)
        #expect(mode(home + "/cfg/particlectl") == 0o700)
        #expect(try file.load() == stored)
        // Overwriting an existing file keeps 0600 and leaves no temporary file behind.
        chmod(file.path, 0o644)
        try file.save(StoredCredentials(accessToken: "b", username: nil, accessTokenExpiresAt: "2030-01-01T00:00:00.000Z"))
        #expect(mode(file.path) == 0o600)
        #expect(try file.load()?.accessToken == "b")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home + "/cfg/particlectl") == ["config.json"])
    }

    @Test func defaultLocationFollowsXDG() {
        #expect(ConfigFile.defaultLocation(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]).path == "/x/particlectl/config.json")
        #expect(ConfigFile.defaultLocation(environment: ["HOME": "/h"]).path == "/h/.config/particlectl/config.json")
        #expect(ConfigFile.defaultLocation(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]).path
                == "/h/.config/particlectl/config.json")
    }

    @Test func corruptConfigIsAnIOErrorWithAHint() throws {
        let file = ConfigFile(path: home + "/bad.json")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: UserError.self) { try file.load() }
    }

    func writeParticleCLI(_ token: String, profile: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: home + "/.particle", withIntermediateDirectories: true)
        if let profile {
            try Data("{\"name\":\"\(profile)\"}".utf8).write(to: URL(fileURLWithPath: home + "/.particle/profile.json"))
        }
        let name = profile ?? "particle"
        try Data("{\"access_token\":\"\(token)\",\"username\":\"u\"}".utf8)
            .write(to: URL(fileURLWithPath: home + "/.particle/\(name).config.json"))
    }

    @Test func lookupOrderIsStdinEnvironmentConfigThenParticleCLI() throws {
        let config = ConfigFile(path: home + "/xdg/particlectl/config.json")
        try writeParticleCLI("from-particle-cli")
        var environment = ["HOME": home]
        #expect(try TokenLookup(environment: environment, config: config).resolve()
                == ResolvedToken(token: "from-particle-cli", origin: .particleCLI))
        try config.save(StoredCredentials(accessToken: "from-config", username: nil, accessTokenExpiresAt: nil))
        #expect(try TokenLookup(environment: environment, config: config).resolve()?.origin == .config)
        environment["PARTICLE_AUTH"] = " from-env\n"
        #expect(try TokenLookup(environment: environment, config: config).resolve()
                == ResolvedToken(token: "from-env", origin: .environment))
        #expect(try TokenLookup(stdinToken: "from-stdin", environment: environment, config: config).resolve()
                == ResolvedToken(token: "from-stdin", origin: .stdin))
    }

    @Test func particleCLIProfileIsFollowed() throws {
        try writeParticleCLI("staging-token", profile: "staging")
        let lookup = TokenLookup(environment: ["HOME": home], config: ConfigFile(path: home + "/none.json"))
        #expect(try lookup.resolve()?.token == "staging-token")
    }

    @Test func noTokenAnywhereIsExit5WithAHint() {
        let lookup = TokenLookup(environment: ["HOME": home], config: ConfigFile(path: home + "/none.json"))
        do {
            _ = try lookup.require()
            Issue.record("expected an error")
        } catch let error as MissingCloudInput {
            #expect(error.what == .accessToken)
            #expect(error.exitStatus == .authentication)
            // The library names no CLI flag; the CLI gives its own words.
            #expect(error.message == "no access token: log in, set PARTICLE_AUTH, or give the client a token")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func resolvedTokenNeverPrintsTheToken() {
        let resolved = ResolvedToken(token: "0123456789abcdef0123456789abcdef01234567", origin: .config)
        #expect(!String(describing: resolved).contains("0123456789abcdef"))
        let reply = TokenReply(tokenType: "bearer", accessToken: "0123456789abcdef0123456789abcdef01234567",
                               expiresIn: 60, refreshToken: nil, scope: nil)
        #expect(!String(describing: reply).contains("0123456789abcdef"))
    }
}
