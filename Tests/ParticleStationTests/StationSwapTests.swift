import Foundation
import ParticleCloud
import ParticleLedger
import ParticleStation
import Testing

/// One fixed port, two devices: the first is provisioned, the technician swaps it for the second (the port's node goes
/// away and comes back), and the same slot takes the second device by itself.
@Suite("Station: a device swapped on a fixed port")
struct StationSwapTests {
    @Test func theSlotTakesTheNextDeviceWhenTheFirstIsSwappedForIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-swap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The fixture's port: a stable name, as udev gives a hub port (/dev/serial/by-path/…).
        let port = folder.appendingPathComponent("ttyFixture").path
        let ledger = try await Ledger(path: folder.appendingPathComponent("station.sqlite").path)

        try await StationWorld.with(devices: 2) { world in
            try FileManager.default.createSymbolicLink(atPath: port, withDestinationPath: world.ports[0])
            let profile = StationProfile(wifi: .init(ssid: world.ssid),
                                         nameTemplate: try NameTemplate(parsing: "widget-{seq:03}"))
            // The fallback check once a minute: only the file system's notification can see the swap in time.
            let configuration = StationConfiguration(profile: profile, station: "bench-a", ports: [port],
                                                     concurrency: 1, count: 2, wifiPassword: world.password,
                                                     portPollInterval: 60)
            let events = StationEventLog()
            let run = Task {
                try await CloudClient.with(CloudConfiguration(baseURL: world.cloudURL, token: world.token)) {
                    try await Station(configuration: configuration, cloud: $0, ledger: ledger).run { events.append($0) }
                }
            }
            // The first device done: unplug it, plug the second in.
            let deadline = Date().addingTimeInterval(60)
            while !events.all.contains(where: { $0.step == "result" }), Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            let first = try #require(events.all.first { $0.step == "result" })
            #expect(first.deviceID == world.deviceIDs[0])
            try FileManager.default.removeItem(atPath: port)
            // Unplugged for a second, as a technician's swap takes (the station must see the node gone first).
            try await Task.sleep(nanoseconds: 1_000_000_000)
            try FileManager.default.createSymbolicLink(atPath: port, withDestinationPath: world.ports[1])

            let ended = Task {
                try await Task.sleep(nanoseconds: 50_000_000_000)
                run.cancel()
            }
            let summary = try await run.value
            ended.cancel()
            #expect(summary.provisioned == 2, "\(summary)")
            let results = events.all.filter { $0.step == "result" }
            #expect(results.map(\.deviceID) == world.deviceIDs.map(Optional.some))
            #expect(Set(results.map(\.slot)) == [port])
        }
    }
}
