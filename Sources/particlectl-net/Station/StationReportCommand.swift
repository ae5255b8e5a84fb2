import ArgumentParser
import Foundation
import Glibc
import ParticleCLISupport
import ParticleCore
import ParticleLedger

/// `particlectl station report`: what the station ledger holds — devices, step durations, failures, throughput.
public struct StationReport: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report what a station provisioned: devices, step times, failures, throughput per hour.",
        discussion: """
            Reads the ledger that `station run` writes (read-only; never creates one). Filters select attempts: \
            --since (started at or after), --lot, --station, --status (the device's current status). Formats: table \
            (default on a terminal), csv (default when stdout is not a terminal: one row per device, RFC 4180, \
            stable columns), json (the whole report; --json is the same). Exit codes: 0 report printed (even when \
            devices failed), 2 bad option or a file that is not a ledger, 3 no ledger at the path (or no such \
            database), 4 the database did not answer in time, 5 the database refused the login, 6 the ledger cannot \
            be read or its server reached. Several stations on one PostgreSQL ledger: the report covers all of them \
            (--station for one), with a per-station breakdown (JSON "stations").
            """
    )

    public init() {}

    @Option(name: .long, help: ArgumentHelp("The station ledger: an SQLite file (default: station.sqlite in the current directory) or postgres://USER@HOST:PORT/DB.", valueName: "path-or-url"))
    var ledger = Ledger.defaultPath

    @Option(name: .long, help: "Only attempts started since TIME: 2025-03-01, 2025-03-01T08:00:00Z (no zone: UTC), or an age: 30m, 2h, 7d.")
    var since: String?

    @Option(name: .long, help: "Only attempts of this lot.")
    var lot: String?

    @Option(name: .long, help: "Only devices whose status is S: in_progress, provisioned, failed or interrupted.")
    var status: String?

    @Option(name: .long, help: "Only attempts made by this station.")
    var station: String?

    @Option(name: .long, help: "table, csv or json (default: table on a terminal, else csv).")
    var format: StationReportFormat?

    @OptionGroup var output: OutputOptions

    public func validate() throws {
        try LedgerLocation.check(ledger)
        if output.json, let format, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) disagree; pass one of them")
        }
    }

    public func run() async throws {
        let filter = try ReportFilter(since: since.map { try LedgerTime.since($0, now: Date()) }, lot: lot,
                                      status: Self.deviceStatus(status), station: station)
        let book = try await Ledger.openForReading(path: ledger)
        let report: LedgerReport
        do {
            report = try await book.report(filter)
            await book.close()
        } catch {
            await book.close()
            throw error
        }
        switch format ?? (output.json ? .json : (isatty(STDOUT_FILENO) == 1 ? .table : .csv)) {
        case .json: printJSON(report)
        case .csv: FileHandle.standardOutput.write(Data(ReportCSV.render(report).utf8))
        case .table: Terminal.write(StationReportText.render(report))
        }
    }

    static func deviceStatus(_ text: String?) throws -> DeviceStatus? {
        guard let text else { return nil }
        guard let status = DeviceStatus(rawValue: text) else {
            throw UserError(.usage, "--status \"\(UntrustedText.escaped(text))\" is not a device status; use one of "
                            + DeviceStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return status
    }
}

/// How `station report` prints.
enum StationReportFormat: String, CaseIterable, ExpressibleByArgument {
    case table, csv, json
}

/// The report for a person: the devices, then step times, failures, throughput and totals.
enum StationReportText {
    static func render(_ report: LedgerReport) -> String {
        var sections: [String] = []
        if report.devices.isEmpty {
            sections.append("No devices.")
        } else {
            var devices = Table("DEVICE", "NAME", "STATUS", "STATION", "SLOT", "OPERATOR", "LOT", "FINISHED", "ATTEMPTS",
                                "LAST ERROR")
            for entry in report.devices {
                let device = entry.device
                devices.append([device.deviceID, text(device.name), device.status.rawValue, text(device.station),
                                text(device.slot), text(device.operatorName), text(device.lot),
                                device.finishedAt.map(shortTime) ?? "-", String(entry.attempts),
                                text(device.status == .provisioned ? nil : device.lastError)])
            }
            sections.append(devices.rendered)
        }
        if !report.steps.isEmpty {
            var steps = Table("STEP", "COUNT", "MEAN", "MEDIAN", "MAX")
            for step in report.steps {
                steps.append([text(step.step), String(step.count), seconds(step.meanSeconds),
                              seconds(step.medianSeconds), seconds(step.maxSeconds)])
            }
            sections.append(steps.rendered)
        }
        if !report.failures.isEmpty {
            var failures = Table("FAILED STEP", "COUNT", "REASON")
            for failure in report.failures {
                failures.append([text(failure.step), String(failure.count), text(failure.reason)])
            }
            sections.append(failures.rendered)
        }
        if report.stations.count > 1 {
            var stations = Table("STATION", "ATTEMPTS", "DEVICES", "PROVISIONED", "FAILED", "INTERRUPTED", "SKIPPED",
                                 "IN PROGRESS")
            for station in report.stations {
                stations.append([text(station.station), String(station.attempts), String(station.devices),
                                 String(station.provisioned), String(station.failed), String(station.interrupted),
                                 String(station.skipped), String(station.inProgress)])
            }
            sections.append(stations.rendered)
        }
        if !report.throughput.isEmpty {
            var hours = Table("HOUR (UTC)", "PROVISIONED", "FAILED")
            for hour in report.throughput {
                hours.append([shortTime(hour.hour), String(hour.provisioned), String(hour.failed)])
            }
            sections.append(hours.rendered)
        }
        sections.append(totals(report.totals))
        return sections.joined(separator: "\n\n")
    }

    static func totals(_ totals: LedgerReport.Totals) -> String {
        var line = "\(totals.devices) \(totals.devices == 1 ? "device" : "devices"): \(totals.devicesProvisioned) "
            + "provisioned, \(totals.devicesFailed) failed, \(totals.devicesInterrupted) interrupted, "
            + "\(totals.devicesInProgress) in progress; \(totals.attempts) "
            + "\(totals.attempts == 1 ? "attempt" : "attempts") (\(totals.attemptsFailed) failed, "
            + "\(totals.attemptsSkipped) skipped, \(totals.attemptsUnidentified) before identification)"
        if let first = totals.firstStartedAt {
            line += ", \(shortTime(first)) to \(totals.lastFinishedAt.map(shortTime) ?? "now") UTC"
        }
        return line
    }

    /// `2025-03-01T08:15:02.125Z` → `2025-03-01 08:15:02`.
    static func shortTime(_ stored: String) -> String {
        String(stored.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    static func text(_ value: String?) -> String { value.map(UntrustedText.escaped) ?? "-" }
}
