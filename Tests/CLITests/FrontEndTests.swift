import Foundation
import ParticleCore
import Testing
@testable import particlectl

/// The three executables as one tool: help and completions of every command from the front, one version, and the
/// front handing over only to siblings of its own release, installed beside it.
@Suite("front end: help, completions, version, siblings")
struct FrontEndTests {
    static let netCommands = ["provision", "station", "firmware", "cloud", "login", "logout", "whoami", "token", "api-user",
                              "customer", "customers", "softap", "usb", "flash"]

    @Test func helpOfEveryNetworkCommandIsTheNetExecutablesOwnHelp() async throws {
        for command in Self.netCommands {
            let front = try await ToolRunner.particlectl(["help", command])
            let net = try await ToolRunner.run(ToolRunner.particlectlNet, ["help", command])
            #expect(front.status == 0, "\(command): \(front.stderr)")
            #expect(front.stdout.contains("USAGE: particlectl \(command)"), "\(command): \(front.stdout)")
            #expect(front.stdout == net.stdout, "\(command)")
        }
        let provision = try await ToolRunner.particlectl(["help", "provision"])
        #expect(provision.stdout.contains("--ssid"))
        let deep = try await ToolRunner.particlectl(["cloud", "devices", "--help"])
        let deepNet = try await ToolRunner.run(ToolRunner.particlectlNet, ["cloud", "devices", "--help"])
        #expect(deep.status == 0)
        #expect(deep.stdout.contains("USAGE: particlectl cloud devices"))
        #expect(deep.stdout == deepNet.stdout)
    }

    @Test func helpOfTheSimulatorsIsTheSimExecutablesOwnHelp() async throws {
        let sim = try await ToolRunner.run(ToolRunner.particlectlSim, ["help", "device"])
        #expect(sim.stdout.contains("--fault"))
        for arguments in [["help", "sim", "device"], ["sim", "device", "--help"], ["sim", "help", "device"]] {
            let front = try await ToolRunner.particlectl(arguments)
            #expect(front.status == 0, "\(arguments): \(front.stderr)")
            #expect(front.stdout == sim.stdout, "\(arguments)")
        }
        let simRoot = try await ToolRunner.particlectl(["help", "sim"])
        #expect(simRoot.stdout.contains("device"))
        #expect(simRoot.stdout.contains("USAGE: particlectl sim"))
    }

    @Test func theFrontsCommandTreeIsTheSiblingsTree() async throws {
        let whole = try await dumpedTree(ToolRunner.particlectl)
        let net = try await dumpedTree(ToolRunner.particlectlNet)
        let sim = try await dumpedTree(ToolRunner.particlectlSim)
        let top = whole.visibleSubcommands
        // The front lists exactly these commands with these summaries (its own types, not the siblings').
        let listed = Particlectl.configuration.subcommands.map { ($0._commandName, $0.configuration.abstract) }
        #expect(top.map(\.commandName) == listed.map(\.0))
        #expect(top.map { $0.abstract ?? "" } == listed.map(\.1))
        // Each network command, in the whole tree, is the net executable's command, options and subcommands included.
        #expect(net.visibleSubcommands.map(\.commandName) == Self.netCommands)
        for command in net.visibleSubcommands {
            #expect(top.first { $0.commandName == command.commandName } == command, "\(command.commandName)")
        }
        // `sim` holds the simulator executable's commands.
        let simInWhole = try #require(top.first { $0.commandName == "sim" })
        #expect(simInWhole.visibleSubcommands == sim.visibleSubcommands)
        #expect(!sim.visibleSubcommands.isEmpty)
        // And the front's own commands are there with their options.
        let serial = try #require(top.first { $0.commandName == "serial" })
        let identify = try #require(serial.visibleSubcommands.first { $0.commandName == "identify" })
        #expect(identify.longOptions.contains("port"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsCoverEveryCommandAndOptionOfAllThreeExecutables(shell: String) async throws {
        let whole = try await dumpedTree(ToolRunner.particlectl)
        let result = try await ToolRunner.particlectl(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result.stderr)")
        let script = result.stdout
        var missing: [String] = []
        whole.walk { path, command in
            if !script.contains(command.commandName) { missing.append(path.joined(separator: " ")) }
            for option in command.longOptions {
                let spelled = shell == "fish" ? "-l '\(option)'" : "--\(option)"
                if !script.contains(spelled) { missing.append("\(path.joined(separator: " ")) --\(option)") }
            }
        }
        #expect(missing.isEmpty, "not completed in \(shell): \(missing)")
        // Options of each executable, for the record: serial, network, simulator (hidden options are not offered).
        for option in ["identify", "--port", "--ssid", "--api-url", "--fault"] where shell != "fish" {
            #expect(script.contains(option))
        }
    }

    @Test func allThreeExecutablesReportTheOneVersion() async throws {
        for executable in [ToolRunner.particlectl, ToolRunner.particlectlNet, ToolRunner.particlectlSim] {
            let result = try await ToolRunner.run(executable, ["--version"])
            #expect(result.status == 0)
            #expect(result.stdout == ParticlectlVersion.string + "\n", "\(executable)")
        }
    }

    @Test func aSiblingOfAnotherVersionIsRefusedAndOneOfThisVersionRuns() async throws {
        let folder = try InstallFolder()
        defer { folder.remove() }
        try folder.copyFront()
        try folder.fakeSibling("particlectl-net", version: "0.0.1")
        let refused = try await ToolRunner.run(folder.front, ["whoami", "--json"])
        #expect(refused.status == 3)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr == "particlectl: \(folder.path)/particlectl-net is version 0.0.1, not "
                + "\(ParticlectlVersion.string) like particlectl; install the particlectl executables of one release "
                + "together (make install)\n")

        try folder.fakeSibling("particlectl-net", version: ParticlectlVersion.string)
        let ran = try await ToolRunner.run(folder.front, ["whoami", "--json"])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "ran particlectl-net: whoami --json\n")

        try folder.fakeSibling("particlectl-sim", version: nil)
        let silent = try await ToolRunner.run(folder.front, ["sim", "device"])
        #expect(silent.status == 3)
        #expect(silent.stderr.hasPrefix("particlectl: \(folder.path)/particlectl-sim reports no version, not "))
    }

    @Test func aMissingSiblingIsNotFoundAndPATHIsNotSearched() async throws {
        let folder = try InstallFolder()
        defer { folder.remove() }
        try folder.copyFront()
        // The real particlectl-net is on PATH: it must not be used.
        let path = ToolRunner.productsDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        let result = try await ToolRunner.run(folder.front, ["whoami"], environment: ["PATH": path])
        #expect(result.status == 3)
        #expect(result.stderr == "particlectl: particlectl-net not found in \(folder.path); install particlectl, "
                + "particlectl-net and particlectl-sim together in one folder (make install)\n")
    }

    @Test func aSymlinkedFrontFindsItsSiblingsBesideTheRealFile() async throws {
        let folder = try InstallFolder()
        defer { folder.remove() }
        try FileManager.default.createSymbolicLink(atPath: folder.front, withDestinationPath: ToolRunner.particlectl)
        let result = try await ToolRunner.run(folder.front, ["login", "--help"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: particlectl login"))
    }

    @Test func installFilesPutsTheExecutablesCompletionsAndManPageUnderPrefix() async throws {
        let folder = try InstallFolder()
        defer { folder.remove() }
        let result = try await ToolRunner.run("/usr/bin/make", [
            "-s", "-C", ToolRunner.packageRoot.path, "install-files",
            "BUILD_DIR=\(ToolRunner.productsDirectory.path)", "DESTDIR=\(folder.path)", "PREFIX=/usr",
        ], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let root = folder.path + "/usr"
        for executable in ["particlectl", "particlectl-net", "particlectl-sim"] {
            #expect(FileManager.default.isExecutableFile(atPath: "\(root)/bin/\(executable)"))
        }
        let bash = try String(contentsOfFile: "\(root)/share/bash-completion/completions/particlectl", encoding: .utf8)
        let zsh = try String(contentsOfFile: "\(root)/share/zsh/site-functions/_particlectl", encoding: .utf8)
        let fish = try String(contentsOfFile: "\(root)/share/fish/vendor_completions.d/particlectl.fish", encoding: .utf8)
        let man = try String(contentsOfFile: "\(root)/share/man/man1/particlectl.1", encoding: .utf8)
        #expect(bash.contains("--ssid") && bash.contains("--fault") && bash.contains("--port"))
        #expect(zsh.hasPrefix("#compdef particlectl"))
        #expect(fish.contains("-l 'ssid'"))
        #expect(man.hasPrefix(".TH PARTICLECTL 1 \"\" \"particlectl \(ParticlectlVersion.string)\""))
        for heading in [".SS particlectl provision", ".SS particlectl serial identify", ".SS particlectl sim device",
                        ".SS particlectl cloud devices"] {
            #expect(man.contains(heading), "\(heading)")
        }
        #expect(man.contains("\\-\\-ssid") || man.contains("--ssid"))
    }

    // MARK: - Helpers

    private func dumpedTree(_ executable: String) async throws -> CommandNode {
        let result = try await ToolRunner.run(executable, ["--experimental-dump-help"])
        try #require(result.status == 0, "\(executable): \(result.stderr)")
        return try JSONDecoder().decode(ToolDump.self, from: Data(result.stdout.utf8)).command
    }
}

/// What `--experimental-dump-help` says about a command: enough to tell two trees apart.
struct ToolDump: Decodable {
    var command: CommandNode
}

struct CommandNode: Decodable, Equatable {
    var commandName: String
    var abstract: String?
    var discussion: String?
    var arguments: [ArgumentNode]?
    var subcommands: [CommandNode]?

    var visibleSubcommands: [CommandNode] { (subcommands ?? []).filter { $0.commandName != "help" } }
    var longOptions: [String] {
        (arguments ?? []).filter { $0.shouldDisplay ?? true }.flatMap { $0.names ?? [] }.filter { $0.kind == "long" }
            .map(\.name)
    }

    func walk(_ path: [String] = [], _ visit: ([String], CommandNode) -> Void) {
        let here = path + [commandName]
        visit(here, self)
        for subcommand in visibleSubcommands { subcommand.walk(here, visit) }
    }
}

struct ArgumentNode: Decodable, Equatable {
    struct Name: Decodable, Equatable {
        var kind: String
        var name: String
    }

    var kind: String
    var names: [Name]?
    var valueName: String?
    var abstract: String?
    var isOptional: Bool
    var isRepeating: Bool
    var defaultValue: String?
    var allValues: [String]?
    var shouldDisplay: Bool?
}

/// A scratch install folder for the front (a real copy, so that its siblings are looked up here).
struct InstallFolder {
    let path: String
    var front: String { path + "/particlectl" }

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-install-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.resolvingSymlinksInPath().path
    }

    func copyFront() throws {
        try FileManager.default.copyItem(atPath: ToolRunner.particlectl, toPath: front)
    }

    /// A stand-in sibling: `--version` prints `version` (nothing when nil), anything else prints what it was given.
    func fakeSibling(_ name: String, version: String?) throws {
        let file = "\(path)/\(name)"
        try? FileManager.default.removeItem(atPath: file)
        let script = """
            #!/bin/sh
            if [ "$1" = --version ]; then \(version.map { "echo \($0)" } ?? "true"); exit 0; fi
            echo "ran \(name): $*"

            """
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
