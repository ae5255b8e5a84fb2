import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud device`.
struct CloudDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Show one device: online state, platform, functions and variables.",
        discussion: "JSON: the device object (API snake_case keys)."
    )

    @Argument(help: "Device ID (24 hex) or name.")
    var device: String
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reference = try deviceReference(device)
        let info = try await CloudSession(cloud).run { client in try await client.devices(product: product.product).info(reference) }
        if output.json { printJSON(info); return }
        let safe = UntrustedText.escaped
        var lines = [
            "ID:        \(safe(info.id))",
            "Name:      \(safe(info.name ?? "-"))",
            "Online:    \(info.isOnline ? "yes" : "no")",
            "Platform:  \(info.platformID.map(String.init) ?? "-")",
        ]
        if let notes = info.notes, !notes.isEmpty { lines.append("Notes:     \(safe(notes))") }
        lines.append("Functions: \(safe((info.functions ?? []).joined(separator: ", ")))")
        let variables = (info.variables ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        lines.append("Variables: \(safe(variables.joined(separator: ", ")))")
        Terminal.write(lines.joined(separator: "\n"))
    }
}
