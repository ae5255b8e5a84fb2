import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud call`.
struct CloudCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a device's cloud function and print its return value.",
        discussion: "Sends {\"arg\": ARG} as JSON, or arg=ARG form-encoded with --form. JSON: {\"device\", \"function\", \"return_value\"}. Unknown function → exit 3; device offline → exit 4."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @Argument(help: "Function name.")
    var function: String
    @Argument(help: "The argument (up to 622 bytes; 63 on old Device OS).")
    var argument: String = ""
    @Flag(name: .long, help: "Send the argument form-encoded instead of JSON.")
    var form = false
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var device: String
        var function: String
        var return_value: Int
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let reply = try await CloudSession(cloud).run { client in
            try await client.devices(product: product.product).call(reference, function, argument: argument,
                                                                     encoding: form ? .form : .json)
        }
        if output.json {
            printJSON(Result(device: reference.value, function: function, return_value: reply.returnValue))
        } else {
            Terminal.write(String(reply.returnValue))
        }
    }
}
