// Tests of the report, its CSV and `--since` parsing.
import Foundation
import ParticleCore
import Testing
import ParticleLedger

/// Known data: 4 attempts over two hours, at two stations.
func knownLedger(_ folder: TemporaryFolder) async throws -> Ledger {
    try await knownLedger(at: folder.file("station.sqlite"))
}

/// The same known data in the ledger at `location` (an SQLite path or a PostgreSQL URL; `environment` for its password).
func knownLedger(at location: String, environment: [String: String] = [:]) async throws -> Ledger {
    let clock = ManualClock("2025-03-01T08:10:00Z")
    var options = clock.options
    for (key, value) in environment { options.environment[key] = value }
    let ledger = try await Ledger(path: location, options: options)
    func run(_ start: AttemptStart, _ id: String?, _ steps: [(String, String, Double)], _ status: AttemptStatus,
             failed: String? = nil, error: String? = nil, at: String) async throws {
        clock.set(at)
        let attempt = try await ledger.beginAttempt(start)
        if let id {
            _ = try await ledger.attach(attempt: attempt, deviceID: try #require(DeviceID(id)),
                                        identity: DeviceIdentity(platform: Platform.named("argon")))
        }
        for (step, outcome, seconds) in steps {
            try await ledger.recordStep(attempt: attempt, StepRecord(step: step, outcome: outcome, seconds: seconds))
        }
        if let id, status == .provisioned {
            try await ledger.update(deviceID: id, DeviceOutcome(name: "w-\(id.suffix(2))", owner: "dev@example.com"))
        }
        clock.advance(60)
        try await ledger.finish(attempt: attempt, status: status, failedStep: failed, error: error)
    }
    let ana = AttemptStart(station: "line-3", slot: "1-1.1", operatorName: "ana", lot: "L42", profile: "fp")
    let bo = AttemptStart(station: "line-4", slot: "1-1.2", operatorName: "bo, jr.", lot: "L43", profile: "fp")
    try await run(ana, "aaaaaaaaaaaaaaaaaaaaaa01", [("identify", "done", 1), ("wait-online", "done", 10)], .provisioned,
                  at: "2025-03-01T08:10:00Z")
    try await run(ana, "aaaaaaaaaaaaaaaaaaaaaa02", [("identify", "done", 2), ("wait-online", "failed", 90)], .failed,
                  failed: "wait-online", error: "not online within 90 s", at: "2025-03-01T08:20:00Z")
    try await run(bo, "aaaaaaaaaaaaaaaaaaaaaa03", [("identify", "done", 4), ("wait-online", "done", 20)], .provisioned,
                  at: "2025-03-01T09:05:00Z")
    try await run(bo, nil, [("identify", "failed", 5)], .failed, failed: "identify", error: "device silent",
                  at: "2025-03-01T09:30:00Z")
    try await run(ana, "aaaaaaaaaaaaaaaaaaaaaa02", [("identify", "done", 3), ("wait-online", "done", 30)], .provisioned,
                  at: "2025-03-01T09:40:00Z")
    return ledger
}

@Suite("Ledger: report")
struct ReportTests {
    @Test("aggregates: steps, failures, throughput, operators, totals")
    func aggregates() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await knownLedger(folder)
        let report = try await ledger.report(ReportFilter())
        #expect(report.devices.map(\.device.deviceID) == ["aaaaaaaaaaaaaaaaaaaaaa01", "aaaaaaaaaaaaaaaaaaaaaa02",
                                                          "aaaaaaaaaaaaaaaaaaaaaa03"])
        #expect(report.devices.map(\.attempts) == [1, 2, 1])
        #expect(report.steps == [
            .init(step: "identify", count: 4, meanSeconds: 2.5, medianSeconds: 2.5, maxSeconds: 4),
            .init(step: "wait-online", count: 3, meanSeconds: 20, medianSeconds: 20, maxSeconds: 30),
        ])
        #expect(report.failures == [
            .init(step: "identify", reason: "device silent", count: 1),
            .init(step: "wait-online", reason: "not online within 90 s", count: 1),
        ])
        #expect(report.throughput == [
            .init(hour: "2025-03-01T08:00:00Z", provisioned: 1, failed: 1),
            .init(hour: "2025-03-01T09:00:00Z", provisioned: 2, failed: 1),
        ])
        #expect(report.operators == [
            .init(station: "line-3", operatorName: "ana", attempts: 3, provisioned: 2, failed: 1),
            .init(station: "line-4", operatorName: "bo, jr.", attempts: 2, provisioned: 1, failed: 1),
        ])
        #expect(report.totals == LedgerReport.Totals(
            devices: 3, devicesProvisioned: 3, attempts: 5, attemptsProvisioned: 3, attemptsFailed: 2,
            attemptsUnidentified: 1, firstStartedAt: "2025-03-01T08:10:00.000Z",
            lastFinishedAt: "2025-03-01T09:41:00.000Z"))
        #expect(report.stations == [
            .init(station: "line-3", attempts: 3, devices: 2, provisioned: 2, failed: 1, interrupted: 0, skipped: 0,
                  inProgress: 0, firstStartedAt: "2025-03-01T08:10:00.000Z", lastFinishedAt: "2025-03-01T09:41:00.000Z"),
            .init(station: "line-4", attempts: 2, devices: 1, provisioned: 1, failed: 1, interrupted: 0, skipped: 0,
                  inProgress: 0, firstStartedAt: "2025-03-01T09:05:00.000Z", lastFinishedAt: "2025-03-01T09:31:00.000Z"),
        ])
    }

    @Test("filters: since, lot, station, status")
    func filters() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await knownLedger(folder)
        let since = try await ledger.report(ReportFilter(since: LedgerTime.date(from: "2025-03-01T09:00:00Z")))
        #expect(since.totals.attempts == 3)
        #expect(since.devices.map(\.device.deviceID) == ["aaaaaaaaaaaaaaaaaaaaaa02", "aaaaaaaaaaaaaaaaaaaaaa03"])
        #expect(since.filter.since == "2025-03-01T09:00:00.000Z")
        let lot = try await ledger.report(ReportFilter(lot: "L43"))
        #expect(lot.totals.attempts == 2)
        #expect(lot.failures == [.init(step: "identify", reason: "device silent", count: 1)])
        let station = try await ledger.report(ReportFilter(station: "line-3"))
        #expect(station.devices.count == 2)
        #expect(station.steps.first?.count == 3)
        let failed = try await ledger.report(ReportFilter(status: .failed))
        #expect(failed.devices.isEmpty)
        #expect(failed.totals.attempts == 1)  // the device that was never identified
        let none = try await ledger.report(ReportFilter(lot: "nope"))
        #expect(none.totals == LedgerReport.Totals())
    }

    @Test("JSON: snake_case, every key present")
    func json() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await knownLedger(folder)
        let empty = try await ledger.report(ReportFilter(lot: "nope"))
        let text = JSONOutput.line(empty)
        for key in ["\"filter\":{\"lot\":\"nope\",\"since\":null,\"station\":null,\"status\":null}",
                    "\"first_started_at\":null", "\"devices\":[]", "\"throughput\":[]", "\"particlectl_version\""] {
            #expect(text.contains(key), "\(key)")
        }
        let full = JSONOutput.line(try await ledger.report(ReportFilter()))
        #expect(full.contains(#""attempts":2,"device_id":"aaaaaaaaaaaaaaaaaaaaaa02","device_os":null"#))
        #expect(full.contains(#"{"count":4,"max_seconds":4,"mean_seconds":2.5,"median_seconds":2.5,"step":"identify"}"#))
        let decoded = try JSONDecoder().decode(LedgerReport.self, from: Data(full.utf8))
        #expect(decoded == (try await ledger.report(ReportFilter())).withGeneratedAt(decoded.generatedAt))
    }

    @Test("CSV: header, stable columns, RFC 4180 quoting, CRLF")
    func csv() async throws {
        let folder = try TemporaryFolder()
        let ledger = try await knownLedger(folder)
        let csv = ReportCSV.render(try await ledger.report(ReportFilter(station: "line-4")))
        #expect(csv == "device_id,name,status,serial_number,platform,mac,imei,iccid,device_os,owner,product,firmware,"
                + "firmware_verified,profile,station,slot,operator,lot,first_seen,finished_at,attempts,last_error\r\n"
                + "aaaaaaaaaaaaaaaaaaaaaa03,w-03,provisioned,,argon,,,,,dev@example.com,,,,fp,line-4,1-1.2,"
                + "\"bo, jr.\",L43,2025-03-01T09:05:00.000Z,2025-03-01T09:06:00.000Z,1,\r\n")
        #expect(ReportCSV.field("plain") == "plain")
        #expect(ReportCSV.field("a,b") == "\"a,b\"")
        #expect(ReportCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportCSV.field("two\nlines") == "\"two\nlines\"")
        #expect(ReportCSV.field("cr\r\nlf") == "\"cr\r\nlf\"")
        #expect(ReportCSV.field("") == "")
    }
}

@Suite("Ledger: --since and timestamps")
struct SinceTests {
    let now = LedgerTime.date(from: "2025-03-10T12:00:00Z") ?? Date()

    @Test("relative ages", arguments: [("30m", "2025-03-10T11:30:00.000Z"), ("2h", "2025-03-10T10:00:00.000Z"),
                                       ("7d", "2025-03-03T12:00:00.000Z"), ("45s", "2025-03-10T11:59:15.000Z"),
                                       ("0h", "2025-03-10T12:00:00.000Z")])
    func ages(text: String, expected: String) throws {
        #expect(LedgerTime.string(from: try LedgerTime.since(text, now: now)) == expected)
    }

    @Test("ISO 8601 dates and date-times", arguments: [
        ("2025-03-01", "2025-03-01T00:00:00.000Z"),
        ("2025-03-01T08:15", "2025-03-01T08:15:00.000Z"),
        ("2025-03-01T08:15:30Z", "2025-03-01T08:15:30.000Z"),
        ("2025-03-01 08:15:30.25", "2025-03-01T08:15:30.250Z"),
        ("2025-03-01T08:15:30+02:00", "2025-03-01T06:15:30.000Z"),
        ("2025-03-01T08:15:30-0130", "2025-03-01T09:45:30.000Z"),
    ])
    func dates(text: String, expected: String) throws {
        #expect(LedgerTime.string(from: try LedgerTime.since(text, now: now)) == expected)
    }

    @Test("anything else is exit 2 naming the value and the forms", arguments: [
        "yesterday", "2h30m", "-2h", "2025-02-30", "2025-13-01", "2025-03-01T25:00", "2025-03-01T08:00Zjunk", "", "h",
        "1.5h", "٣h",
    ])
    func invalid(text: String) {
        #expect(throws: UserError(.usage, "--since \"\(text)\" is neither a date (2025-03-01), a date-time "
                                  + "(2025-03-01T08:00:00Z; no zone means UTC) nor an age (30m, 2h, 7d)")) {
            _ = try LedgerTime.since(text, now: now)
        }
    }

    @Test("stored timestamps: UTC, milliseconds, hour buckets")
    func stored() {
        #expect(LedgerTime.string(from: Date(timeIntervalSince1970: 1_740_816_902.125)) == "2025-03-01T08:15:02.125Z")
        #expect(LedgerTime.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(LedgerTime.hour(of: "2025-03-01T08:15:02.125Z") == "2025-03-01T08:00:00Z")
    }
}

extension LedgerReport {
    func withGeneratedAt(_ time: String) -> LedgerReport {
        var copy = self
        copy.generatedAt = time
        return copy
    }
}
