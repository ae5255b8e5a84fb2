import ParticleCore
import Testing
@testable import ParticleUSB

/// A request can choose its own CHECK schedule: firmware DATA chunks are CHECKed after 2, 2, 5 … ms instead of the
/// default 5, 10, 20 …, so the device is not left idle between chunks.
@Suite("per-request CHECK schedule")
struct CheckScheduleTests {
    private func reply(_ status: ServiceStatus, id: UInt16? = nil, result: Int32? = nil) -> RecordedDevice.Answer {
        .bytes(ServiceReply(status: status, id: id, size: nil, result: result).bytes)
    }

    private func dataChunkDevice(_ clock: FakeClock) -> RecordedDevice {
        RecordedDevice(clock: clock, [
            (.initiate(type: 253, payloadSize: 1027), reply(.pending, id: 4)),
            (.check(id: 4), reply(.ok)),
            (.send(id: 4, length: 1027), .bytes([])),
            (.check(id: 4), reply(.pending)),
            (.check(id: 4), reply(.ok, result: 0)),
        ])
    }

    @Test func aDataChunkIsCheckedOnItsOwnFastScheduleThenTheUsualOne() throws {
        let clock = FakeClock()
        let device = dataChunkDevice(clock)
        let payload = FirmwareUpdate.dataPayload((0..<1024).map { UInt8(truncatingIfNeeded: $0) }[...])
        let request = ControlRequest(type: 253, payload: payload, checkIntervals: FirmwareUpdate.dataCheckIntervals)
        let outcomes = RequestScheduler(transport: device, clock: clock).run([request])
        #expect(try outcomes[0].get() == ControlReply(result: .none))
        // INIT at 1000; CHECK 2 ms after it ended; SEND at once; CHECKs 2 and 2 ms after (the count restarts).
        #expect(device.log.map(\.time) == [1000, 1003, 1004, 1007, 1010])
        #expect(device.script.isEmpty)
        #expect(FirmwareUpdate.dataCheckIntervals.last == RequestExchange.checkIntervals.last)
    }

    @Test func withoutAScheduleARequestUsesTheDefaultBackOff() throws {
        let clock = FakeClock()
        let device = dataChunkDevice(clock)
        let payload = [UInt8](repeating: 0x55, count: 1027)
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 253, payload: payload)])
        #expect(try outcomes[0].get() == ControlReply(result: .none))
        // INIT at 1000; CHECK 5 ms after it ended; SEND at once; CHECKs 5 and 10 ms after (the count restarts).
        #expect(device.log.map(\.time) == [1000, 1006, 1007, 1013, 1024])
        #expect(ControlRequest(type: 253, checkIntervals: []).checkIntervals == RequestExchange.checkIntervals)
    }
}
