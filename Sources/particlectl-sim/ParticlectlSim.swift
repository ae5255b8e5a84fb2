import ArgumentParser
import Foundation
import ParticleCore

@main
struct ParticlectlSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particlectl sim",
        abstract: "Simulators for trying and testing particlectl without hardware or an account.",
        subcommands: SimulatorCommands.all
    )

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
        } catch let error as any ParticleError {
            FileHandle.standardError.write(Data("particlectl sim: \(error.message)\n".utf8))
            status = error.exitStatus.rawValue
        } catch {
            let text = fullMessage(for: error)
            if exitCode(for: error) == .success {
                if !text.isEmpty { print(text) }
                status = ExitStatus.ok.rawValue
            } else {
                FileHandle.standardError.write(Data((text + "\n").utf8))
                status = ExitStatus.usage.rawValue
            }
        }
        Glibc.exit(status)
    }
}

/// The simulator commands (device, softap, cloud, all). Each simulator registers here.
enum SimulatorCommands {
    static let all: [any ParsableCommand.Type] = [SimDevice.self, SimCloud.self, SimSoftAP.self, SimAll.self]
}
