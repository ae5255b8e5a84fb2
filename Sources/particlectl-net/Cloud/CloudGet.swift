import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud get`.
struct CloudGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read a device's cloud variable.",
        discussion: "Prints the value. JSON: {\"device\", \"name\", \"result\"} (result typed: number, string or bool). Unknown variable → exit 3; device offline → exit 4."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @Argument(help: "Variable name.")
    var variable: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var device: String
        var name: String
        var result: JSONValue
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let reply = try await CloudSession(cloud).run { client in
            try await client.devices(product: product.product).variable(reference, variable)
        }
        if output.json { printJSON(Result(device: reference.value, name: reply.name, result: reply.result)) } else {
            Terminal.write(UntrustedText.escaped(reply.result.description))
        }
    }
}
