import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Testing
import PostgresTestServer

/// `station run --dashboard`: the live page in a real browser (headless Chromium driven by selenium) while the
/// station provisions 8 simulated devices, one of them silent.
@Suite("Factory station: the live dashboard in a real browser")
struct StationDashboardTests {
    static let browser = ToolRunner.packageRoot.appendingPathComponent("scripts/test/dashboard-browser.py").path

    /// The dashboard URL the station printed on stderr.
    static func dashboardURL(_ station: BackgroundTool, timeout: Double = 30) async throws -> String {
        func announced() -> String? {
            station.stderrText.split(separator: "\n").first { $0.hasPrefix("particlectl: dashboard at ") }
                .map { String($0.dropFirst("particlectl: dashboard at ".count)) }
        }
        await eventually(within: timeout) { announced() != nil || station.process.exitSeen != nil }
        if let url = announced() { return url }
        throw BackgroundToolError(message: "the station printed no dashboard URL; stderr: \(station.stderrText)")
    }

    @Test func tilesReachDoneAndFailedLiveWithTheNamesAndTheReasonAndTheCountersMatchTheLedger() async throws {
        let world = try await StationWorldFixture(devices: 8, faults: ["3=silent"])
        // Every API call slow until the page is open: the browser sees the slots at work, then their ends.
        try world.setFaults(#"{"latency_ms": 1500}"#)
        // The browser first (Chromium may take long to start on a loaded machine), on the port the station will use.
        let port = try PostgresServer.freePort()
        let artifacts = ToolRunner.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("station-dashboard.png").path
        let page = try BackgroundTool("/usr/bin/python3", [Self.browser, "http://127.0.0.1:\(port)/", "--tiles", "8",
                                                          "--screenshot", screenshot, "--timeout", "90"])
        defer { page.stop() }
        _ = try await page.line(timeout: 120) { $0 == "ready" }

        let station = try BackgroundTool(ToolRunner.particlectl, world.stationArguments(
            ["--identify-timeout", "4", "--operator", "ana", "--lot", "L7", "--dashboard", "127.0.0.1:\(port)", "--json"]),
            environment: world.environment)
        defer { station.stop() }
        let url = try await Self.dashboardURL(station)
        #expect(url == "http://127.0.0.1:\(port)/")
        _ = try await page.line(timeout: 90) { $0 == "loaded" }
        try world.setFaults("{}")
        let status = await page.waitForExit(timeout: 100)
        #expect(status == 0, "browser stderr: \(page.stderrText)")
        let result = try #require(page.lines.last)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        #expect(state["reloaded"] as? Bool == false)
        let tiles = state["tiles"] as? [[String: Any]] ?? []
        #expect(tiles.count == 8)

        // The silent device's tile failed at identify with the reason; the others are done, named.
        let silentSlot = String(world.ports[2].dropFirst("/dev/".count))
        let failed = try #require(tiles.first { $0["slot"] as? String == silentSlot })
        #expect(failed["state"] as? String == "failed")
        #expect(failed["step"] as? String == "at identify")
        #expect((failed["reason"] as? String ?? "").contains("did not enter listening mode within 4s"), "\(failed)")
        let done = tiles.filter { $0["state"] as? String == "done" }
        #expect(done.count == 7)
        // They were seen at work before they were seen done: the page changed without a reload.
        let seen = state["states_seen"] as? [String: [String]] ?? [:]
        #expect(seen.values.filter { $0.first == "working" && $0.last != "working" }.count >= 4, "\(seen)")
        let counters = state["counters"] as? [String: Int] ?? [:]
        #expect(counters == ["done": 7, "failed": 1, "interrupted": 0, "skipped": 0])
        #expect(FileManager.default.fileExists(atPath: screenshot))

        station.send(SIGINT)
        #expect(await station.waitForExit(timeout: 30) == 1)

        // The ledger agrees: the same names for the same devices, the same counts.
        let report = try await world.particlectl(["station", "report", "--ledger", world.ledger, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any] ?? [:]
        let devices = object["devices"] as? [[String: Any]] ?? []
        let ledgerNames = Dictionary(uniqueKeysWithValues: devices.compactMap { device -> (String, String)? in
            guard let id = device["device_id"] as? String, let name = device["name"] as? String,
                  device["status"] as? String == "provisioned" else { return nil }
            return (id, name)
        })
        #expect(ledgerNames.count == 7)
        for tile in done {
            let id = try #require(tile["device"] as? String)
            #expect(ledgerNames[id] == tile["name"] as? String, "\(tile)")
        }
        // The silent device never said its ID: a failed attempt without a device row.
        let totals = object["totals"] as? [String: Any] ?? [:]
        #expect(totals["attempts_failed"] as? Int == counters["failed"])
        #expect(totals["attempts_provisioned"] as? Int == counters["done"])
        #expect(totals["attempts_unidentified"] as? Int == 1)
    }

    static func status(_ url: String) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test func aDashboardOffLoopbackNeedsTheRemoteFlagAndThenATokenPrintedAtStart() async throws {
        let world = try await StationWorldFixture(devices: 1)
        let refused = try await world.particlectl(world.stationArguments(["--count", "1", "--dashboard", "0.0.0.0:0"]))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--dashboard 0.0.0.0:0 is not a loopback address; add --dashboard-remote"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: world.ledger))  // refused before anything started

        let bad = try await world.particlectl(world.stationArguments(["--count", "1", "--dashboard", "nowhere"]))
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not HOST:PORT"))

        let station = try BackgroundTool(ToolRunner.particlectl, world.stationArguments(
            ["--dashboard", "0.0.0.0:0", "--dashboard-remote"]), environment: world.environment)
        defer { station.stop() }
        let url = try await StationDashboardTests.dashboardURL(station)
        let token = try #require(url.split(separator: "=").last.map(String.init))
        #expect(url.hasPrefix("http://0.0.0.0:") && url.contains("/?token=") && token.count == 32)
        let port = try #require(url.split(separator: ":").dropFirst(2).first?.split(separator: "/").first)
        #expect(try await Self.status("http://127.0.0.1:\(port)/state") == 401)
        #expect(try await Self.status("http://127.0.0.1:\(port)/state?token=\(token)") == 200)
        station.send(SIGINT)
        #expect(await station.waitForExit(timeout: 30) != nil)
    }
}
