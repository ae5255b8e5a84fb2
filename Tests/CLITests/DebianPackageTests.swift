import Foundation
import Glibc
import Testing

/// `make deb`'s script (scripts/make-deb.sh), on the built executables: the package's metadata and contents, the
/// executables run from where the package puts them, the systemd unit verified, and an install and purge on this
/// machine (CI runs as root; elsewhere through passwordless sudo, as `make test` installs its Debian packages)
/// leaving nothing behind.
@Suite("Debian package", .serialized)
struct DebianPackageTests {
    static let script = ToolRunner.packageRoot.appendingPathComponent("scripts/make-deb.sh").path
    static let binDir = URL(fileURLWithPath: ToolRunner.particlectl).deletingLastPathComponent().path

    static let expectedFiles = [
        "./usr/bin/particlectl", "./usr/bin/particlectl-net", "./usr/bin/particlectl-sim",
        "./usr/lib/udev/rules.d/50-particle.rules", "./usr/lib/systemd/system/particlectl-station@.service",
        "./usr/share/man/man1/particlectl.1.gz", "./usr/share/bash-completion/completions/particlectl",
        "./usr/share/zsh/vendor-completions/_particlectl", "./usr/share/fish/vendor_completions.d/particlectl.fish",
        "./etc/particlectl/example.yaml", "./usr/share/doc/particlectl/copyright",
    ]

    /// `sudo -n` in front of a command when not root.
    static func privileged(_ command: [String]) -> (String, [String]) {
        getuid() == 0 ? (command[0], Array(command.dropFirst())) : ("/usr/bin/sudo", ["-n"] + command)
    }

    @Test func thePackageHoldsEverythingRunsWithoutTheBuildTreeAndPurgesClean() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-deb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let built = try await ToolRunner.run("/bin/bash", [Self.script, Self.binDir, folder.path],
                                             environment: ["DEB_COMPRESSION": "none"], timeout: 300)
        #expect(built.status == 0, "stderr: \(built.stderr)")
        let package = built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let arch = try await ToolRunner.run("/usr/bin/dpkg", ["--print-architecture"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(package == folder.path + "/particlectl_0.9.0_\(arch).deb")

        // Metadata.
        let fields = try await ToolRunner.run("/usr/bin/dpkg-deb", ["--field", package, "Package", "Version", "Architecture", "Depends"])
        #expect(fields.stdout.contains("Package: particlectl\nVersion: 0.9.0\nArchitecture: \(arch)\n"), "\(fields.stdout)")
        #expect(fields.stdout.contains("libudev1") && fields.stdout.contains("libc6"))
        let conffiles = try await ToolRunner.run("/usr/bin/dpkg-deb", ["--info", package, "conffiles"])
        #expect(conffiles.stdout == "/etc/particlectl/example.yaml\n")

        // Contents.
        let listing = try await ToolRunner.run("/usr/bin/dpkg-deb", ["--contents", package])
        let paths = listing.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        for file in Self.expectedFiles { #expect(paths.contains(file), "missing \(file)") }
        #expect(!paths.contains { $0.contains(".build") || $0.hasPrefix("./opt") })

        // Extracted into a scratch root: the front finds its siblings beside itself, not in the build tree.
        let root = folder.appendingPathComponent("root").path
        #expect(try await ToolRunner.run("/usr/bin/dpkg-deb", ["-x", package, root]).status == 0)
        let version = try await ToolRunner.run(root + "/usr/bin/particlectl", ["--version"])
        #expect(version.stdout == "0.9.0\n")
        let list = try await ToolRunner.run(root + "/usr/bin/particlectl", ["serial", "list", "--json"])
        #expect(list.status == 0 && list.stdout.hasPrefix("["), "\(list.stderr)")
        let help = try await ToolRunner.run(root + "/usr/bin/particlectl", ["station", "run", "--help"])
        #expect(help.stdout.contains("--dashboard"), "\(help.stderr)")

        // Installed on this machine, verified, purged.
        let before = try await ToolRunner.run("/usr/bin/dpkg-query", ["-W", "-f", "${Status}", "particlectl"])
        try #require(!before.stdout.contains("installed"), "a particlectl package is installed here; the test would replace it")
        let (installer, install) = Self.privileged(["/usr/bin/dpkg", "-i", package])
        let installed = try await ToolRunner.run(installer, install, timeout: 120)
        #expect(installed.status == 0, "dpkg -i: \(installed.stderr) (needs root or passwordless sudo)")
        let (purger, purge) = Self.privileged(["/usr/bin/dpkg", "--purge", "particlectl"])
        defer { _ = Task { _ = try? await ToolRunner.run(purger, purge, timeout: 120) } }
        #expect(try await ToolRunner.run("/usr/bin/particlectl", ["--version"]).stdout == "0.9.0\n")
        let verified = try await ToolRunner.run("/usr/bin/systemd-analyze",
                                                ["verify", "--man=no", "particlectl-station@line3.service"], timeout: 60)
        #expect(verified.status == 0, "systemd-analyze: \(verified.stderr)")
        #expect(FileManager.default.fileExists(atPath: "/etc/particlectl/example.yaml"))

        let purged = try await ToolRunner.run(purger, purge, timeout: 120)
        #expect(purged.status == 0, "\(purged.stderr)")
        for file in Self.expectedFiles {
            let path = String(file.dropFirst())
            #expect(!FileManager.default.fileExists(atPath: path), "left behind: \(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/particlectl"))
    }
}
