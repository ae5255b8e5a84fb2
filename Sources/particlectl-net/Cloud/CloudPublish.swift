import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud publish`.
struct CloudPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish an event to your devices' event stream (or a product's with --product).",
        discussion: "JSON: {\"ok\": true, \"name\"}."
    )

    @Argument(help: "Event name (1 to 64 characters).")
    var name: String
    @Argument(help: "Event data.")
    var data: String?
    @Option(name: .long, help: "Time to live in seconds.")
    var ttl: Int?
    @Flag(name: .long, help: "Publish as a private event.")
    var `private` = false
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if name.isEmpty || name.count > 64 { throw ValidationError("the event name must be 1 to 64 characters") }
    }

    struct Result: Encodable {
        var ok: Bool
        var name: String
    }

    func run() async throws {
        try await CloudSession(cloud).run { client in
            try await client.events.publish(name: name, data: data, ttl: ttl, isPrivate: `private`, product: product.product)
        }
        if output.json { printJSON(Result(ok: true, name: name)) } else { Terminal.write("Published \(name).") }
    }
}
