import ArgumentParser
import ParticleCore
import ParticleFirmware
import ParticleCLISupport

/// `particlectl firmware list`
struct FirmwareList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the bundled firmware with the functions and variables each one registers."
    )

    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var name: String
        var file: String
        var description: String
        var functions: [String]
        var variables: [String: String]
    }

    func run() throws {
        let entries = BundledFirmware.all.map {
            Entry(name: $0.name, file: $0.fileName, description: $0.manifest.description,
                  functions: $0.manifest.functions, variables: $0.manifest.variables)
        }
        if output.json {
            Terminal.write(JSONOutput.line(entries))
            return
        }
        var table = Table("NAME", "FUNCTIONS", "VARIABLES", "DESCRIPTION")
        for entry in entries {
            table.append([entry.name, entry.functions.joined(separator: ","),
                          entry.variables.keys.sorted().joined(separator: ","), entry.description])
        }
        Terminal.write(table.rendered)
    }
}
