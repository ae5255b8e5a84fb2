import Foundation
import Testing

/// The Wi-Fi options have one set of names in every command that takes a network (`WiFiOptions`,
/// `WiFiEnterpriseOptions`); SoftAP's old spellings stay accepted but hidden.
@Suite("one set of Wi-Fi option names")
struct WiFiOptionsTests {
    static let common = ["ssid", "security", "password-stdin"]
    static let enterprise = ["eap", "username", "outer-identity", "client-cert", "private-key", "root-ca"]
    static let deprecated = ["identity", "certificate", "ca"]

    /// The whole command tree as `--experimental-dump-help` describes it (the front hands it to the simulator
    /// executable, which links every command).
    func tree() async throws -> CommandNode {
        let result = try await ToolRunner.particlectl(["--experimental-dump-help"])
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(ToolDump.self, from: Data(result.stdout.utf8)).command
    }

    func command(_ path: [String], in root: CommandNode) throws -> CommandNode {
        var node = root
        for name in path {
            node = try #require(node.subcommands?.first { $0.commandName == name }, "no \(path)")
        }
        return node
    }

    /// Long names of the options `--help` does not show.
    func hiddenOptions(of node: CommandNode) -> [String] {
        (node.arguments ?? []).filter { $0.shouldDisplay == false }.flatMap { $0.names ?? [] }
            .filter { $0.kind == "long" }.map(\.name)
    }

    @Test func everyWiFiCommandShowsTheSameNamesAndHidesTheDeprecatedOnes() async throws {
        let root = try await tree()
        let withEnterprise = [["serial", "wifi"], ["softap", "configure"], ["softap", "setup"]]
        for path in withEnterprise + [["provision"]] {
            let node = try command(path, in: root)
            let expected = Self.common + (path == ["provision"] ? [] : Self.enterprise)
            for name in expected {
                #expect(node.longOptions.contains(name), "\(path.joined(separator: " ")) lacks --\(name)")
            }
            for name in Self.deprecated {
                #expect(!node.longOptions.contains(name), "\(path.joined(separator: " ")) shows --\(name)")
            }
            if withEnterprise.contains(path) {
                #expect(hiddenOptions(of: node).sorted() == Self.deprecated.sorted(), "\(path)")
            }
        }
    }

    @Test func theDeprecatedSpellingsStillWorkOverSoftAP() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wifi-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ["cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB/+\n-----END CERTIFICATE-----\n",
                     "key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE/+\n-----END PRIVATE KEY-----\n",
                     "ca.pem": "-----BEGIN CERTIFICATE-----\nMIIC/+\n-----END CERTIFICATE-----\n"]
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let sim = try await SoftAPSimProcess()
        let peap = try await ToolRunner.particlectl(
            ["softap", "configure", "--address", sim.address("tcp"), "--protocol", "tcp", "--ssid", "CorpNet",
             "--eap", "peap", "--identity", "bob", "--password-stdin", "--json"], stdin: "s3cret-corp\n")
        let tls = try await ToolRunner.particlectl(
            ["softap", "configure", "--address", sim.address("tcp"), "--protocol", "tcp", "--ssid", "CorpNet",
             "--eap", "tls", "--certificate", folder.appendingPathComponent("cert.pem").path,
             "--private-key", folder.appendingPathComponent("key.pem").path,
             "--ca", folder.appendingPathComponent("ca.pem").path])
        let log = sim.stop()
        #expect(peap.status == 0, "\(peap.stderr)")
        #expect(log.contains("identity=bob"))
        #expect(tls.status == 0, "\(tls.stderr)")
        #expect(!log.contains("s3cret-corp") && !log.contains("MIIE"))
    }

    @Test(arguments: [
        (["serial", "wifi", "--port", "/dev/null", "--ssid", "X", "--username", "a", "--identity", "b"], "identity", "username"),
        (["softap", "configure", "--ssid", "X", "--client-cert", "a", "--certificate", "b"], "certificate", "client-cert"),
        (["softap", "setup", "--ssid", "X", "--root-ca", "a", "--ca", "b"], "ca", "root-ca"),
    ])
    func bothSpellingsOfOneOptionAreAUsageError(arguments: [String], old: String, new: String) async throws {
        let result = try await ToolRunner.particlectl(arguments, timeout: 10)
        #expect(result.status == 2)
        #expect(result.stderr == "particlectl: --\(old) is the deprecated spelling of --\(new): give only --\(new) (see --help)\n")
    }

    @Test func provisionAndSoftAPSayTheSSIDIsMissingAlike() async throws {
        let softap = try await ToolRunner.particlectl(["softap", "configure", "--password-stdin"], timeout: 10)
        #expect(softap.status == 2)
        #expect(softap.stderr.contains("--ssid"))
        let provision = try await ToolRunner.particlectl(["provision", "--password-stdin"], timeout: 10)
        #expect(provision.status == 2)
        #expect(provision.stderr.contains("--ssid"))
    }
}
