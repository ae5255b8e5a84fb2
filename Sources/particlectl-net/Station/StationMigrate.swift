import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleLedger

/// `particlectl station migrate`: creates the ledger if needed and brings its schema up to this version's.
struct StationMigrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create the ledger if missing and apply the schema migrations this version knows.",
        discussion: """
            `station run` migrates at start too; run this once when a line's PostgreSQL database is set up, or \
            before upgrading several stations, so that none of them starts on an old schema. Works on an SQLite \
            file too. A ledger written by a newer particlectl is refused (exit 2). The password comes from \
            PGPASSWORD or ~/.pgpass (mode 0600), never from the URL. JSON: {"ledger", "applied", "schema"}. Exit \
            codes: 0 done (also when nothing was to do), 2 bad URL or not a ledger, 3 no such database, 4 the server \
            did not answer in time, 5 the server refused the login, 6 the server cannot be reached or the file \
            cannot be written.
            """
    )

    @Option(help: ArgumentHelp("The ledger: an SQLite file, or postgres://USER@HOST:PORT/DB.", valueName: "path-or-url"))
    var ledger: String = Ledger.defaultPath

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try LedgerLocation.check(ledger)
    }

    func run() async throws {
        let result = try await Ledger.migrate(path: ledger)
        if output.json {
            Terminal.write(JSONOutput.line(result))
        } else if result.applied.isEmpty {
            Terminal.write("\(result.ledger): up to date (\(result.schema.last ?? "no schema"))")
        } else {
            Terminal.write("\(result.ledger): applied \(result.applied.joined(separator: ", ")); now at "
                           + "\(result.schema.last ?? "")")
        }
    }
}
