import ArgumentParser

/// `particlectl station`: the factory station.
struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Factory station: provision every device on a hub concurrently, with a crash-safe ledger.",
        subcommands: [StationRun.self, StationInit.self, StationReport.self, StationMigrate.self]
    )
}
