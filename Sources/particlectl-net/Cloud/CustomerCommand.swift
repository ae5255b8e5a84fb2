import ArgumentParser
import ParticleCLISupport

/// `particlectl customer …`.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "Manage a product's customers (see also `particlectl customers`).",
        subcommands: [CustomerCreate.self]
    )
}
