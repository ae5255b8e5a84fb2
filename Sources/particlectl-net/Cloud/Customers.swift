import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl customers`.
struct Customers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a product's customers and their devices.",
        discussion: "JSON: an array of {\"id\", \"username\", \"devices\"}."
    )

    @Option(name: .long, help: "Product ID or slug.")
    var product: String
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var id: Nullable<String>
        var username: String
        var devices: [String]
    }

    func run() async throws {
        let customers = try await CloudSession(cloud).run { client in try await client.customers(product: product).list() }
        let rows = customers.map { Row(id: Nullable($0.id), username: $0.username, devices: $0.devices ?? []) }
        if output.json { printJSON(rows); return }
        if rows.isEmpty { Terminal.write("No customers in product \(product)."); return }
        var table = Table("CUSTOMER", "DEVICES")
        for row in rows { table.append([row.username, row.devices.joined(separator: ",")].map(UntrustedText.escaped)) }
        Terminal.write(table.rendered)
    }
}
