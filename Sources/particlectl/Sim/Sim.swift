import ArgumentParser
import Foundation
import ParticleCore

/// `particlectl sim …` runs the simulators. They live in a separate executable, `particlectl-sim`, so that their
/// server code stays out of the start-up path of device commands; this command hands over to it.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the simulated device, SoftAP and cloud (see `particlectl sim --help`).",
        discussion: "Everything after `sim` is passed to particlectl-sim, installed beside particlectl."
    )

    @Argument(parsing: .captureForPassthrough, help: "The simulator command and its options.")
    var arguments: [String] = []

    func run() throws {
        let executable = try Self.simulatorExecutable()
        let argv = [executable] + (arguments.isEmpty ? ["--help"] : arguments)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(executable, &cArguments)
        throw UserError(.io, "cannot start \(executable): \(String(cString: strerror(errno)))")
    }

    /// `particlectl-sim` next to this executable (resolving symlinks), else on PATH.
    static func simulatorExecutable() throws -> String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let sibling = me.deletingLastPathComponent().appendingPathComponent("particlectl-sim").path
        if access(sibling, X_OK) == 0 { return sibling }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/particlectl-sim"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw UserError(.notFound, "particlectl-sim not found beside particlectl or on PATH; install both together")
    }
}
