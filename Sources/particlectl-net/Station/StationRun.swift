import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleDashboard
import ParticleLedger
import ParticleProvisioning
import ParticleStation
import ParticleCLISupport

/// `particlectl station run`: the factory station.
struct StationRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Provision every device plugged into the hub, concurrently, recording each step in the ledger.",
        discussion: """
            Devices come from USB hot-plug (those already attached first), each in a slot named by its USB path \
            (1-1.3 = hub port 3 on the hub at port 1), or from fixed --port nodes. Each slot runs provision's steps \
            (identify → check-cloud → [import] → claim-code → configure → connect → wait-online → verify-owner → \
            [rename] → [flash]) and the profile's acceptance checks; every step is committed to the ledger before \
            the next starts. A device the ledger has as provisioned under the same profile is skipped (unless \
            --reprovision); one interrupted (unplugged, killed station) resumes where it stopped when seen again, \
            with the name it was given. Runs until --count devices finished, or SIGINT/SIGTERM (devices in flight \
            are recorded as interrupted). Profile keys come from --profile FILE (see `station init`) and the flags \
            below, which override the file. The Wi-Fi password: the profile's password_env variable, \
            --password-stdin, --password-file (mode 0600), or a prompt on a terminal. JSON: one event per line \
            {"time", "slot", "port", "device_id", "step", "outcome", "seconds", "detail", "error"}, the last with \
            step "station", outcome "finished"; step "ledger-retry" (outcome retrying, then done) while a PostgreSQL \
            ledger is unreachable and a write waits for it (up to 60 s). A device another station is provisioning \
            on the same ledger is skipped, naming that station. Exit 0: every device taken was provisioned or skipped; 1: some \
            failed or were interrupted (`station report --status failed`); 6: the ledger could not be written.
            """
    )

    @OptionGroup var profileOptions: StationProfileOptions

    @Option(help: ArgumentHelp("The ledger: an SQLite file, created if missing, or a PostgreSQL database shared by several stations, postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass, never the URL).", valueName: "path-or-url"))
    var ledger: String = Ledger.defaultPath
    @Option(help: "This station's name in the ledger (default: the host name).")
    var station: String?
    @Option(name: .customLong("operator"), help: "Who runs the station, recorded with every device.")
    var operatorName: String?
    @Option(help: "The production lot, recorded with every device.")
    var lot: String?
    @Option(name: .customLong("port"), help: "A fixed serial port to take devices from, instead of USB hot-plug (repeatable).")
    var ports: [String] = []
    @Option(help: "Devices provisioned at once (1–256).")
    var concurrency: Int = 16
    @Option(help: "Stop after this many devices finished (provisioned, failed, interrupted or skipped).")
    var count: Int?
    @Flag(help: "Provision again devices the ledger has as provisioned under this profile.")
    var reprovision = false
    @Option(help: ArgumentHelp("Serve a live dashboard of the slots at HOST:PORT (or PORT, on loopback; port 0: any free port).",
                               valueName: "host:port"))
    var dashboard: String?
    @Flag(help: "Allow --dashboard on an address other than loopback; the page then needs the access token printed at start.")
    var dashboardRemote = false

    @OptionGroup var secret: ClientSecretOptions
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1–256") }
        try LedgerLocation.check(ledger)
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        for port in ports where port.isEmpty { throw ValidationError("--port needs a path") }
        if Set(ports).count != ports.count { throw ValidationError("--port lists the same port twice") }
        if dashboardRemote && dashboard == nil { throw ValidationError("--dashboard-remote needs --dashboard HOST:PORT") }
        if let dashboard {
            let address = try DashboardAddress(parsing: dashboard)
            if !address.isLoopback && !dashboardRemote {
                throw ValidationError("--dashboard \(address) is not a loopback address; add --dashboard-remote to serve it on the network with an access token")
            }
        }
    }

    func run() async throws {
        let profile = try profileOptions.profile()
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let token = try session.token()
        // stdin lines, in order: the token (--token-stdin, read above), the Wi-Fi password, the client secret.
        let password = try profileOptions.wifiPassword(for: profile, input: input,
                                                       environment: ProcessInfo.processInfo.environment)
        let clientSecret = profile.owner == .customer ? try secret.secret(input) : nil

        // The ledger before anything else: a station that cannot record does not start.
        let book = try await Ledger(path: self.ledger)
        let shownLedger = book.path  // a PostgreSQL URL as resolved, never with a password
        let configuration = StationConfiguration(
            profile: profile, station: station ?? StationConfiguration.hostName, operatorName: operatorName, lot: lot,
            ports: ports, concurrency: concurrency, count: count, reprovision: reprovision, wifiPassword: password)
        let printer = StationPrinter(json: output.json)
        let live = try await StationDashboard.start(dashboard, remote: dashboardRemote, configuration: configuration,
                                                    ledger: book)
        if let live { Terminal.writeError("particlectl: dashboard at \(live.url)") }

        let summary = try await session.attributingRejection(to: token) {
            try await CloudClient.with(session.configuration(token: token.token)) { client in
                // The token is checked once, before the first device is touched.
                _ = try await client.tokens.user()
                var customerCloud: CloudClient?
                if profile.owner == .customer, let customer = profile.customer, let clientID = profile.clientID,
                   let clientSecret {
                    let reply = try await client.tokens.clientCredentials(clientID: clientID, secret: clientSecret,
                                                                          customer: customer)
                    customerCloud = CloudClient(session.configuration(token: reply.accessToken))
                }
                let station = Station(configuration: configuration, cloud: client, customerCloud: customerCloud,
                                      ledger: book)
                // SIGINT/SIGTERM cancel the run: devices in flight end as interrupted, the summary still comes.
                let result: Result<StationSummary, any Error>
                do {
                    result = .success(try await StopSignals.cancellingOnSignal {
                        try await station.run { event in
                            printer.show(event)
                            live?.show(event)
                        }
                    })
                } catch {
                    result = .failure(error)
                }
                await customerCloud?.shutdown()
                return try result.get()
            }
        }
        await live?.stop()
        await book.close()
        if !output.json { Terminal.write(printer.summary(summary, ledger: shownLedger)) }
        if let problem = summary.ledgerError {
            let fix = book.kind == .postgres ? "bring the database back" : "free space or fix permissions"
            throw UserError(.io, "the ledger \(shownLedger) could not be written (\(problem)); the station took no new device — \(fix), then run it again (devices in flight resume)")
        }
        if summary.failed + summary.interrupted > 0 {
            Terminal.writeError("particlectl: \(summary.failed) failed and \(summary.interrupted) interrupted of \(summary.finished) device(s); see `particlectl station report --ledger \(shownLedger) --status failed`")
            throw ExitCode(ExitStatus.remoteError.rawValue)
        }
    }
}

/// Station events on the terminal (one line per event that ends something) or as JSON lines (every event).
struct StationPrinter: Sendable {
    let json: Bool

    func show(_ event: StationEvent) {
        if json {
            Terminal.write(JSONOutput.line(event))
        } else if let line = Self.line(event) {
            Terminal.write(line)
        }
    }

    /// `[1-1.3] e00fce68… wait-online done 3.2 s online (spark/status event)`; nil for step starts.
    static func line(_ event: StationEvent) -> String? {
        if event.outcome == .started && event.step != "identify" { return nil }
        var parts: [String] = []
        parts.append(event.slot.map { "[\($0)]" } ?? "[station]")
        if let id = event.deviceID { parts.append(id) }
        parts.append(event.step)
        parts.append(event.outcome.rawValue)
        if let seconds = event.seconds, event.outcome != .started { parts.append(String(format: "%.1f s", seconds)) }
        if let detail = event.detail { parts.append(UntrustedText.escaped(detail)) }
        if let error = event.error { parts.append("— \(UntrustedText.escaped(error))") }
        return parts.joined(separator: " ")
    }

    func summary(_ summary: StationSummary, ledger: String) -> String {
        var text = "\(summary.finished) device(s) in \(String(format: "%.1f", summary.seconds)) s: \(summary.provisioned) provisioned, \(summary.failed) failed, \(summary.interrupted) interrupted, \(summary.skipped) skipped"
        if summary.recovered > 0 { text += " (\(summary.recovered) interrupted attempt(s) of an earlier run recovered)" }
        text += "\nledger: \(ledger) — `particlectl station report --ledger \(ledger)`"
        return text
    }
}

/// `--dashboard`: the server, and the station's events fed to its board in the order they happened.
struct StationDashboard: Sendable {
    let url: String
    private let server: DashboardServer.Running
    private let feed: AsyncStream<StationEvent>.Continuation
    private let applying: Task<Void, Never>

    static func start(_ address: String?, remote: Bool, configuration: StationConfiguration,
                      ledger: Ledger) async throws -> StationDashboard? {
        guard let address else { return nil }
        let parsed = try DashboardAddress(parsing: address)
        let hub = DashboardHub(
            board: DashboardBoard(station: configuration.station, operatorName: configuration.operatorName,
                                  lot: configuration.lot),
            name: { id in try? await ledger.device(id)?.name })
        // Checked in validate(): an address off loopback comes with --dashboard-remote, and gets a token.
        let server = try DashboardServer(hub: hub, address: parsed, token: remote ? DashboardServer.newToken() : nil)
        let running = try await server.start()
        let (events, feed) = AsyncStream<StationEvent>.makeStream()
        let applying = Task { for await event in events { await hub.apply(event) } }
        return StationDashboard(url: running.url, server: running, feed: feed, applying: applying)
    }

    func show(_ event: StationEvent) { feed.yield(event) }

    /// Applies what is queued, then stops serving.
    func stop() async {
        feed.finish()
        await applying.value
        await server.stop()
    }
}
