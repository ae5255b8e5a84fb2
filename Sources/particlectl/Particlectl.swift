import ArgumentParser
import Foundation
import ParticleCore

@main
struct Particlectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl",
        abstract: "Provision Particle devices from the host: USB discovery, listening-mode serial, SoftAP and the Cloud API.",
        discussion: """
            Exit codes: 0 ok; 1 the device or cloud answered with an error; 2 bad usage or input; 3 no device, not \
            found or ambiguous; 4 timed out; 5 authentication missing or rejected; 6 I/O failure.
            """,
        subcommands: [Serial.self, Identify.self, Provision.self, Firmware.self, CloudCommand.self, Login.self, Logout.self, Whoami.self,
                      TokenCommand.self, APIUserCommand.self, CustomerCommand.self, Customers.self, SoftAP.self, Sim.self]
    )

    /// Runs the command line and maps every error to one stderr line and a documented exit code.
    static func main() async {
        let status: Int32
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = ExitStatus.ok.rawValue
        } catch {
            status = ErrorReporter.report(error)
        }
        Glibc.exit(status)
    }
}
