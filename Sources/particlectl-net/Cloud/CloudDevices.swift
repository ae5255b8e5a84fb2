import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud devices`.
struct CloudDevices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List your devices (or a product's with --product).",
        discussion: "JSON: an array of device objects with the API's snake_case keys (id, name, online, platform_id, …)."
    )

    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let devices = try await CloudSession(cloud).run { client in try await client.devices(product: product.product).list() }
        if output.json { printJSON(devices); return }
        if devices.isEmpty { Terminal.write("No devices."); return }
        var table = Table("ID", "NAME", "PLATFORM", "ONLINE")
        for device in devices {
            table.append([UntrustedText.escaped(device.id), UntrustedText.escaped(device.name ?? ""),
                          device.platformID.map(String.init) ?? "", device.isOnline ? "yes" : "no"])
        }
        Terminal.write(table.rendered)
    }
}
