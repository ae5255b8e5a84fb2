import Foundation
import ParticleCore
import ParticleDashboard
import ParticleStation
import Testing

@Suite("Dashboard board (pure, from station events)")
struct DashboardBoardTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    static func event(_ offset: Double, _ slot: String?, _ step: String, _ outcome: StationEvent.Outcome,
                      device: String? = nil, seconds: Double? = nil, detail: String? = nil,
                      error: String? = nil) -> StationEvent {
        StationEvent(time: start.addingTimeInterval(offset), slot: slot, port: slot.map { "/dev/\($0)" },
                     deviceID: device, step: step, outcome: outcome, seconds: seconds, detail: detail, error: error)
    }

    @Test func tilesFollowEachSlotFromAttachedToItsEnd() {
        var board = DashboardBoard(station: "line-3", operatorName: "ana", lot: "L42", started: Self.start)
        let a = "e00fce68a1b2c3d4e5f60718", b = "e00fce68a1b2c3d4e5d00001"
        board.apply(Self.event(0, "1-1.10", "slot", .attached))
        board.apply(Self.event(0, "1-1.2", "slot", .attached))
        #expect(board.tiles.map(\.slot) == ["1-1.2", "1-1.10"])  // numeric order
        #expect(board.tiles.allSatisfy { $0.state == .working && $0.step == "identify" })

        board.apply(Self.event(1, "1-1.2", "wait-online", .started, device: a))
        #expect(board.tiles[0].step == "wait-online")
        #expect(board.tiles[0].since == Self.start.addingTimeInterval(1))
        #expect(board.tiles[0].deviceID == a)

        board.apply(Self.event(2, "1-1.10", "configure", .started, device: b))
        board.apply(Self.event(3, "1-1.10", "configure", .failed, device: b, error: "the device hung up"))
        board.apply(Self.event(3, "1-1.10", "result", .failed, device: b, detail: "at configure", error: "the device hung up"))
        board.apply(Self.event(4, "1-1.2", "result", .provisioned, device: a, seconds: 4.04), name: "widget-001")

        #expect(board.tiles[0] == DashboardBoard.Tile(slot: "1-1.2", state: .done, deviceID: a, name: "widget-001",
                                                      seconds: 4.04))
        #expect(board.tiles[1].state == .failed)
        #expect(board.tiles[1].step == "configure")
        #expect(board.tiles[1].reason == "the device hung up")
        #expect(board.counters.done == 1 && board.counters.failed == 1)
        #expect(board.counters.medianSeconds == 4.04)
        #expect(board.counters.perHour == 900)  // one device in 4 s
        #expect(board.failures.map(\.slot) == ["1-1.10"])
        #expect(board.failures.first?.step == "configure")

        board.apply(Self.event(5, nil, "station", .finished))
        #expect(board.finished)
        #expect(board.alert == nil)
    }

    @Test func theSnapshotHasEveryKeyAndAnInterruptionAndALedgerAlertShow() throws {
        var board = DashboardBoard(station: "bench-a", operatorName: nil, lot: nil, started: Self.start)
        board.apply(Self.event(0, "ttyACM0", "slot", .attached))
        board.apply(Self.event(1, "ttyACM0", "slot", .detached))
        board.apply(Self.event(1, "ttyACM0", "result", .interrupted, error: "interrupted (unplugged or the station stopped)"))
        board.apply(Self.event(2, nil, "ledger", .failed, error: "the ledger cannot be written (disk full); taking no new device"))
        let json = DashboardSnapshot(board).json
        #expect(json == #"{"alert":"the ledger cannot be written (disk full); taking no new device","counters":{"done":0,"failed":0,"interrupted":1,"median_seconds":null,"per_hour":null,"skipped":0},"failures":[{"device_id":null,"reason":"interrupted (unplugged or the station stopped)","slot":"ttyACM0","step":"identify","time":"2026-05-28T20:26:41.000Z"}],"finished":false,"lot":null,"operator":null,"started":"2026-05-28T20:26:40.000Z","station":"bench-a","tiles":[{"device_id":null,"name":null,"reason":"interrupted (unplugged or the station stopped)","seconds":null,"since":null,"slot":"ttyACM0","state":"interrupted","step":"identify"}]}"#)
    }

    @Test func onlyTheLastFailuresAreKept() {
        var board = DashboardBoard(station: "s", operatorName: nil, lot: nil, started: Self.start)
        for index in 0..<12 {
            board.apply(Self.event(Double(index), "p\(index)", "result", .failed, error: "reason \(index)"))
        }
        #expect(board.failures.count == DashboardBoard.failuresShown)
        #expect(board.failures.first?.reason == "reason 11")
        #expect(board.counters.failed == 12)
    }

    @Test(arguments: [
        ("8080", "127.0.0.1", 8080, true), ("127.0.0.1:0", "127.0.0.1", 0, true), ("[::1]:9000", "::1", 9000, true),
        ("localhost:80", "localhost", 80, true), ("0.0.0.0:8080", "0.0.0.0", 8080, false),
        ("10.1.2.3:8080", "10.1.2.3", 8080, false),
    ])
    func addresses(text: String, host: String, port: Int, loopback: Bool) throws {
        let address = try DashboardAddress(parsing: text)
        #expect(address.host == host && address.port == port && address.isLoopback == loopback)
    }

    @Test(arguments: ["", "host:", "::1:80", "127.0.0.1:65536", "a b:80", "[::1]80"])
    func badAddressesAreUsageErrors(text: String) {
        #expect(throws: UserError.self) { try DashboardAddress(parsing: text) }
        do { _ = try DashboardAddress(parsing: text) } catch { #expect(error.exitStatus == .usage) }
    }
}
