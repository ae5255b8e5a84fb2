import Foundation
import GRDB
import ParticleCloud
import ParticleLedger
import ParticleStation
import Testing

/// The station against a ledger that fills up mid-run (a real SQLite file whose size is capped, as a full disk is):
/// it stops taking devices, says why, and never provisions a device it cannot record.
@Suite("Station: the ledger failing mid-run")
struct StationLedgerFaultTests {
    @Test func aLedgerThatFillsUpStopsIntakeAndNoUnrecordedDeviceIsTouched() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("station.sqlite").path
        // A new ledger, then capped at one page more than it has: a disk with a few kilobytes left.
        let pages: Int
        do {
            _ = try await Ledger(path: path)
            pages = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        }
        let ledger = try await Ledger(path: path, options: LedgerOptions(pageLimit: pages + 1))

        // More devices than the capped file can ever hold (how many fit depends on the lengths of what is recorded).
        try await StationWorld.with(devices: 12) { world in
            let profile = StationProfile(wifi: .init(ssid: world.ssid),
                                         nameTemplate: try NameTemplate(parsing: "widget-{seq:03}"))
            let configuration = StationConfiguration(profile: profile, station: "bench-a", ports: world.ports,
                                                     concurrency: 1, count: 12, wifiPassword: world.password)
            let events = StationEventLog()
            let summary = try await CloudClient.with(CloudConfiguration(baseURL: world.cloudURL, token: world.token)) {
                try await Station(configuration: configuration, cloud: $0, ledger: ledger).run { events.append($0) }
            }
            #expect(summary.stop == .ledgerUnavailable)
            #expect(summary.ledgerError?.contains("full") == true, "\(summary)")
            #expect(summary.provisioned >= 1 && summary.finished < 12, "\(summary)")
            let stop = try #require(events.all.first { $0.step == "ledger" && $0.outcome == .failed })
            #expect(stop.error?.hasSuffix("taking no new device") == true)
            #expect(events.all.last?.step == "station" && events.all.last?.error != nil)

            // Every device the cloud saw come online is in the ledger; the devices after the failure were never
            // touched (no claim code, no Wi-Fi).
            let reader = try await Ledger.openForReading(path: path)
            let recorded = Set(try await reader.report(ReportFilter()).devices.map(\.device.deviceID))
            for (index, id) in world.deviceIDs.enumerated() {
                if await world.cloudDevice(id)?.online == true { #expect(recorded.contains(id), "device \(index + 1)") }
                if !recorded.contains(id) {
                    #expect(world.device(index + 1)?.claimCode == nil, "device \(index + 1)")
                    #expect(world.device(index + 1)?.wifiCredentials == nil, "device \(index + 1)")
                }
            }
            #expect(recorded.count < 12)
        }
    }
}
