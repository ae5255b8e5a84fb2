import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud ping`.
struct CloudPing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Ask the cloud whether a device answers right now.",
        discussion: "JSON: {\"device\", \"online\"}. Exit 0 either way; check `online`."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var device: String
        var online: Bool
    }

    func run() async throws {
        let reference = try deviceReference(device)
        let reply = try await CloudSession(cloud).run { client in try await client.devices(product: product.product).ping(reference) }
        if output.json { printJSON(Result(device: reference.value, online: reply.online)) } else {
            Terminal.write("\(reference.value) is \(reply.online ? "online" : "offline").")
        }
    }
}
