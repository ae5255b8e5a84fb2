import Foundation
import Glibc
import Testing
import PostgresTestServer

/// `station run`, `station report` and `station migrate` on a PostgreSQL ledger shared by several stations, against
/// a real PostgreSQL server the tests start on loopback and `particlectl sim station` worlds.
@Suite("Factory station on a PostgreSQL ledger")
struct StationPostgresTests {
    private func slot(_ port: String) -> String { port.hasPrefix("/dev/") ? String(port.dropFirst(5)) : port }

    /// `station run` as its own process, for stations that run at the same time.
    private func startStation(_ world: StationWorldFixture, ledger: String, station: String, ports: [String],
                              environment: [String: String], more: [String] = []) throws -> BackgroundTool {
        var arguments = ["station", "run", "--ledger", ledger, "--station", station, "--ssid", world.ssid,
                         "--password-env", "LINE_WIFI_PASSWORD", "--name-template", "widget-{seq:03}",
                         "--count", String(ports.count), "--json"]
        arguments += ports.flatMap { ["--port", $0] } + more
        return try BackgroundTool(ToolRunner.particlectl, arguments,
                                  environment: world.environment.merging(environment) { _, new in new })
    }

    private func report(_ world: StationWorldFixture, _ ledger: String, environment: [String: String],
                        _ more: [String] = []) async throws -> [String: Any] {
        let result = try await ToolRunner.particlectl(["station", "report", "--ledger", ledger, "--format", "json"] + more,
                                                      environment: world.environment.merging(environment) { _, new in new },
                                                      timeout: 30)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func twoStationsWithDisjointDevicesShareOneLedgerWithUniqueNames() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase("line")
        let ledger = server.url(database)
        let world = try await StationWorldFixture(devices: 6)
        let a = try startStation(world, ledger: ledger, station: "line-a", ports: Array(world.ports.prefix(3)),
                                 environment: server.environment)
        let b = try startStation(world, ledger: ledger, station: "line-b", ports: Array(world.ports.suffix(3)),
                                 environment: server.environment)
        let statusA = await a.waitForExit(timeout: 120)
        let statusB = await b.waitForExit(timeout: 120)
        #expect(statusA == 0, "stderr: \(a.stderrText)")
        #expect(statusB == 0, "stderr: \(b.stderrText)")
        for tool in [a, b] {
            #expect(!tool.stdoutText.contains(PostgresServer.password) && !tool.stderrText.contains(PostgresServer.password))
        }

        let whole = try await report(world, ledger, environment: server.environment)
        let devices = whole["devices"] as? [[String: Any]] ?? []
        #expect(devices.count == 6)
        #expect(devices.allSatisfy { $0["status"] as? String == "provisioned" })
        #expect(Set(devices.compactMap { $0["name"] as? String }) == Set((1...6).map { String(format: "widget-%03d", $0) }))
        #expect(Set(devices.compactMap { $0["device_id"] as? String }) == Set(world.devices.map(\.deviceID)))
        #expect(whole["ledger"] as? String == ledger)
        let stations = whole["stations"] as? [[String: Any]] ?? []
        #expect(stations.compactMap { $0["station"] as? String } == ["line-a", "line-b"])
        #expect(stations.compactMap { $0["provisioned"] as? Int } == [3, 3])

        // Each station's own report agrees with the whole.
        let onlyA = try await report(world, ledger, environment: server.environment, ["--station", "line-a"])
        let onlyB = try await report(world, ledger, environment: server.environment, ["--station", "line-b"])
        let devicesA = (onlyA["devices"] as? [[String: Any]] ?? []).compactMap { $0["device_id"] as? String }
        let devicesB = (onlyB["devices"] as? [[String: Any]] ?? []).compactMap { $0["device_id"] as? String }
        #expect(Set(devicesA) == Set(world.devices.prefix(3).map(\.deviceID)))
        #expect(Set(devicesB) == Set(world.devices.suffix(3).map(\.deviceID)))
        let table = try await ToolRunner.particlectl(["station", "report", "--ledger", ledger, "--format", "table"],
                                                     environment: server.environment, timeout: 30)
        #expect(table.stdout.contains("STATION  ATTEMPTS  DEVICES  PROVISIONED"), "stdout: \(table.stdout)")
    }

    @Test(arguments: ["postgres", "sqlite"])
    func theSameDeviceAtTwoStationsAtOnceIsProvisionedOnceAndTheOtherNamesTheStation(_ kind: String) async throws {
        let server = try await PostgresServer.shared()
        let ledger: String
        if kind == "postgres" {
            ledger = server.url(try await server.createDatabase("same"))
        } else {
            // Two station processes on one SQLite file (one PC, two hubs).
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-same-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            ledger = folder.appendingPathComponent("line.sqlite").path
        }
        defer { if kind == "sqlite" { try? FileManager.default.removeItem(atPath: (ledger as NSString).deletingLastPathComponent) } }
        // Two worlds, one device each: the simulator's identities are stable, so both are the same device ID.
        let first = try await StationWorldFixture(devices: 1, faults: ["1=slow"])
        let second = try await StationWorldFixture(devices: 1, faults: ["1=slow"])
        #expect(first.devices[0].deviceID == second.devices[0].deviceID)
        let id = first.devices[0].deviceID
        let a = try startStation(first, ledger: ledger, station: "line-a", ports: first.ports, environment: server.environment)
        let b = try startStation(second, ledger: ledger, station: "line-b", ports: second.ports,
                                 environment: server.environment)
        let statusA = await a.waitForExit(timeout: 120)
        let statusB = await b.waitForExit(timeout: 120)
        #expect(statusA == 0, "stderr: \(a.stderrText)")
        #expect(statusB == 0, "stderr: \(b.stderrText)")
        let eventsA = try StationEvents(a.stdoutText).matching(step: "result")
        let eventsB = try StationEvents(b.stdoutText).matching(step: "result")
        let outcomes = [eventsA.first?["outcome"] as? String, eventsB.first?["outcome"] as? String].compactMap { $0 }
        #expect(outcomes.sorted() == ["provisioned", "skipped"], "a: \(a.stdoutText) b: \(b.stdoutText)")
        let (winner, loserEvents) = outcomes.first == "provisioned" ? ("line-a", eventsB) : ("line-b", eventsA)
        let detail = loserEvents.first?["detail"] as? String ?? ""
        #expect(detail.hasPrefix("device \(id) is being provisioned by station \(winner) (slot "), "detail: \(detail)")

        let whole = try await report(first, ledger, environment: server.environment)
        let devices = whole["devices"] as? [[String: Any]] ?? []
        #expect(devices.count == 1)
        #expect(devices.first?["status"] as? String == "provisioned")
        #expect(devices.first?["station"] as? String == winner)
        #expect(devices.first?["name"] as? String == "widget-001")
        let totals = whole["totals"] as? [String: Any] ?? [:]
        #expect(totals["attempts_provisioned"] as? Int == 1)
        #expect(totals["attempts_skipped"] as? Int == 1)
    }

    @Test func theServerStoppedForTenSecondsMidRunLosesNothingAndDoublesNothing() async throws {
        let server = try await PostgresServer.start()
        let database = try await server.createDatabase("restart")
        let ledger = server.url(database)
        let world = try await StationWorldFixture(devices: 3, faults: ["1=slow", "2=slow", "3=slow"])
        let station = try startStation(world, ledger: ledger, station: "line-a", ports: world.ports,
                                       environment: server.environment)
        _ = try await station.line(timeout: 60) { $0.contains(#""step":"configure""#) }
        try await server.stopServer()
        try await Task.sleep(for: .seconds(10))
        try await server.startServer()
        let status = await station.waitForExit(timeout: 120)
        #expect(status == 0, "stderr: \(station.stderrText) stdout: \(station.stdoutText)")
        let events = try StationEvents(station.stdoutText)
        #expect(!events.matching(step: "ledger-retry", outcome: "retrying").isEmpty, "stdout: \(station.stdoutText)")
        #expect(!events.matching(step: "ledger-retry", outcome: "done").isEmpty)
        let retry = events.matching(step: "ledger-retry", outcome: "retrying").first?["error"] as? String ?? ""
        #expect(retry.hasPrefix("cannot reach the PostgreSQL ledger \(ledger)"), "error: \(retry)")
        #expect(Set(events.results.values.compactMap { $0["outcome"] as? String }) == ["provisioned"])

        let whole = try await report(world, ledger, environment: server.environment)
        let devices = whole["devices"] as? [[String: Any]] ?? []
        #expect(devices.count == 3)
        #expect(devices.allSatisfy { $0["status"] as? String == "provisioned" && $0["attempts"] as? Int == 1 })
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["widget-001", "widget-002", "widget-003"])
        // Every step once per attempt, as the events said.
        let doubled = try await server.sql("""
            SELECT COUNT(*) FROM (SELECT attempt_id, step, outcome FROM steps GROUP BY attempt_id, step, outcome
            HAVING COUNT(*) > 1) AS d
            """, database: database)
        #expect(doubled == "0")
        #expect(try await server.sql("SELECT COUNT(*) FROM attempts", database: database) == "3")
        await server.stop()
    }

    @Test func migrateAppliesTheSchemaOnceAndSaysWhich() async throws {
        let server = try await PostgresServer.shared()
        let database = try await server.createDatabase("migrate")
        let ledger = server.url(database)
        let first = try await ToolRunner.particlectl(["station", "migrate", "--ledger", ledger],
                                                     environment: server.environment, timeout: 30)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout == "\(ledger): applied v1-station-ledger, v2-multi-station, v3-name-allocation; now at v3-name-allocation\n")
        let again = try await ToolRunner.particlectl(["station", "migrate", "--ledger", ledger, "--json"],
                                                     environment: server.environment, timeout: 30)
        #expect(again.status == 0)
        #expect(again.stdout == #"{"applied":[],"ledger":"\#(ledger)","schema":["v1-station-ledger","v2-multi-station","v3-name-allocation"]}"# + "\n")
        let empty = try await ToolRunner.particlectl(["station", "report", "--ledger", server.url("postgres"), "--json"],
                                                     environment: server.environment, timeout: 30)
        #expect(empty.status == 3, "stderr: \(empty.stderr)")
    }

    @Test func aPasswordInTheURLIsRefusedAndLoginFailuresHaveTheirExitCodes() async throws {
        let server = try await PostgresServer.shared()
        let secret = "hunter2-secret"
        let inURL = try await ToolRunner.particlectl(
            ["station", "migrate", "--ledger", "postgres://ledger:\(secret)@127.0.0.1:\(server.port)/x"], timeout: 30)
        #expect(inURL.status == 2)
        #expect(inURL.stderr.contains("--ledger must not hold a password (a command line shows in ps and shell history); set PGPASSWORD or put it in ~/.pgpass (mode 0600)"), "stderr: \(inURL.stderr)")
        #expect(!inURL.stderr.contains(secret) && !inURL.stdout.contains(secret))

        let wrong = try await ToolRunner.particlectl(["station", "migrate", "--ledger", server.url("postgres")],
                                                     environment: ["PGPASSWORD": secret, "HOME": "/nonexistent"],
                                                     timeout: 30)
        #expect(wrong.status == 5, "stderr: \(wrong.stderr)")
        #expect(wrong.stderr.contains("refused user ledger (password authentication failed for user \"ledger\")"))
        #expect(!wrong.stderr.contains(secret) && !wrong.stdout.contains(secret))

        let missing = try await ToolRunner.particlectl(["station", "migrate", "--ledger", server.url("no_such_db")],
                                                       environment: server.environment, timeout: 30)
        #expect(missing.status == 3, "stderr: \(missing.stderr)")
        let port = try PostgresServer.freePort()
        let down = try await ToolRunner.particlectl(["station", "migrate", "--ledger", "postgres://ledger@127.0.0.1:\(port)/x"],
                                                    environment: server.environment, timeout: 30)
        #expect(down.status == 6, "stderr: \(down.stderr)")
        #expect(down.stderr.contains("cannot reach the PostgreSQL ledger postgres://ledger@127.0.0.1:\(port)/x (connection refused)"))
    }
}
