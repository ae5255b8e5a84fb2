import ParticleCore
import Testing
@testable import ParticleUSB

/// Time that passes only when the scheduler waits (and 1 ms per transfer).
final class FakeClock: SchedulerClock {
    var time: Int64 = 1000
    var cancelAt: Int64?
    func now() -> Int64 { time }
    func sleep(until target: Int64) throws(USBError) {
        if let cancelAt, target >= cancelAt { throw USBError(.cancelled) }
        time = max(time, target)
    }
}

/// A device that answers from a recorded script: each transfer must match the next expected setup packet.
final class RecordedDevice: ControlTransferring {
    enum Answer {
        case bytes([UInt8])
        case failure(USBError)
    }

    var script: [(SetupPacket, Answer)]
    let clock: FakeClock
    private(set) var log: [(time: Int64, setup: SetupPacket, data: [UInt8])] = []

    init(clock: FakeClock, _ script: [(SetupPacket, Answer)]) {
        self.clock = clock
        self.script = script
    }

    func control(_ setup: SetupPacket, data: [UInt8], timeoutMilliseconds: Int32) throws(USBError) -> [UInt8] {
        log.append((clock.time, setup, data))
        clock.time += 1
        guard !script.isEmpty else {
            Issue.record("unexpected transfer \(setup)")
            throw USBError(.io("unexpected"))
        }
        let (expected, answer) = script.removeFirst()
        #expect(setup == expected, "transfer \(log.count)")
        switch answer {
        case .bytes(let bytes): return bytes
        case .failure(let error): throw error
        }
    }
}

private func reply(_ status: ServiceStatus, id: UInt16? = nil, size: UInt32? = nil, result: Int32? = nil) -> RecordedDevice.Answer {
    .bytes(ServiceReply(status: status, id: id, size: size, result: result).bytes)
}

@Suite("USB request state machine on recorded replies")
struct SchedulerTests {
    @Test("a request without payload: INIT, CHECKs with back-off, RECV; exact packets and timings")
    func emptyPayload() throws {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 72, payloadSize: 0), reply(.ok, id: 1)),
            (.check(id: 1), reply(.pending)),
            (.check(id: 1), reply(.pending)),
            (.check(id: 1), reply(.pending)),
            (.check(id: 1), reply(.ok, size: 2, result: 0)),
            (.receive(id: 1, length: 2), .bytes([0x08, 0x01])),
        ])
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 72)])
        #expect(try outcomes[0].get() == ControlReply(result: .none, data: [0x08, 0x01]))
        // INIT at 1000; CHECKs 5, 10, 20 and 50 ms after the previous transfer ended; RECV right away.
        #expect(device.log.map(\.time) == [1000, 1006, 1017, 1038, 1089, 1090])
        #expect(device.script.isEmpty)
    }

    @Test("a payload of 1-64 bytes is sent right after INIT OK, then CHECKs restart their back-off")
    func smallPayload() throws {
        let clock = FakeClock()
        let payload: [UInt8] = Array("0123456789".utf8)
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 200, payloadSize: 10), reply(.ok, id: 9)),
            (.send(id: 9, length: 10), .bytes([])),
            (.check(id: 9), reply(.ok, result: 0)),
        ])
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 200, payload: payload)])
        #expect(try outcomes[0].get() == ControlReply(result: .none))
        #expect(device.log[1].data == payload)
        // SEND right after INIT; the CHECK 5 ms after the SEND ended.
        #expect(device.log.map(\.time) == [1000, 1001, 1007])
    }

    @Test("a large payload: INIT PENDING, CHECK until ready, SEND in 4096-byte chunks, CHECK, RECV in chunks")
    func largePayload() throws {
        let clock = FakeClock()
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0) }
        let answer = (0..<4100).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 1, payloadSize: 5000), reply(.pending, id: 3)),
            (.check(id: 3), reply(.pending)),
            (.check(id: 3), reply(.ok)),
            (.send(id: 3, length: 4096), .bytes([])),
            (.send(id: 3, length: 904), .bytes([])),
            (.check(id: 3), reply(.ok, size: 4100, result: 0)),
            (.receive(id: 3, length: 4096), .bytes(Array(answer[0..<4096]))),
            (.receive(id: 3, length: 4), .bytes(Array(answer[4096...]))),
        ])
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 1, payload: payload)])
        #expect(try outcomes[0].get().data == answer)
        #expect(device.log[3].data + device.log[4].data == payload)
        #expect(device.script.isEmpty)
    }

    @Test("BUSY and NO_MEMORY on INIT are retried with back-off")
    func busyRetried() throws {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 20, payloadSize: 0), reply(.busy)),
            (.initiate(type: 20, payloadSize: 0), reply(.busy)),
            (.initiate(type: 20, payloadSize: 0), reply(.noMemory)),
            (.initiate(type: 20, payloadSize: 0), reply(.ok, id: 4)),
            (.check(id: 4), reply(.ok, result: 0)),
        ])
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 20)])
        #expect(try outcomes[0].get() == ControlReply(result: .none))
        // INITs 5, 10 and 20 ms apart; then the CHECK's back-off starts again at 5 ms.
        #expect(device.log.map(\.time) == [1000, 1006, 1017, 1038, 1044])
    }

    @Test("a request that never finishes times out at its deadline and is RESET")
    func deadline() {
        let clock = FakeClock()
        var script: [(SetupPacket, RecordedDevice.Answer)] = [(.initiate(type: 70, payloadSize: 0), reply(.ok, id: 2))]
        // CHECKs at 1006, 1017, 1038, 1089, 1190, 1441, 1692, 2193 and 2694 (5, 10, 20, 50, 100, 250, 250, 500, 500 ms
        // after the previous one ended); the next would be at 3695, past the deadline at 3000: RESET then.
        script += Array(repeating: (SetupPacket.check(id: 2), reply(.pending)), count: 9)
        script.append((.reset(id: 2), reply(.ok)))
        let device = RecordedDevice(clock: clock, script)
        let outcomes = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 70, timeoutMilliseconds: 2000)])
        #expect(throws: USBError(.timedOut, requestType: 70)) { try outcomes[0].get() }
        #expect(device.script.isEmpty)
        #expect(clock.time <= 3001)
    }

    @Test("a stall fails that request only; the next one works")
    func stall() throws {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 999, payloadSize: 0), .failure(USBError(.stalled))),
            (.initiate(type: 20, payloadSize: 0), reply(.ok, id: 1)),
            (.check(id: 1), reply(.ok, result: 0)),
        ])
        let scheduler = RequestScheduler(transport: device, clock: clock)
        #expect(throws: USBError(.stalled, requestType: 999)) { try scheduler.run([ControlRequest(type: 999)])[0].get() }
        #expect(try scheduler.run([ControlRequest(type: 20)])[0].get() == ControlReply(result: .none))
    }

    @Test("a result code comes back with the reply; -1801 reads as Protected mode")
    func protectedResult() {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 72, payloadSize: 0), reply(.ok, id: 1)),
            (.check(id: 1), reply(.ok, result: -1801)),
        ])
        let outcome = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 72)])[0]
        #expect(throws: USBError(.protected, requestType: 72)) { try outcome.get().checked(type: 72) }
    }

    @Test("CHECK answering NOT_FOUND means the device dropped the request")
    func notFound() {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 72, payloadSize: 0), reply(.ok, id: 5)),
            (.check(id: 5), reply(.notFound)),
            (.reset(id: 5), reply(.notFound)),
        ])
        let outcome = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 72)])[0]
        #expect(throws: USBError(.cancelledByDevice, requestType: 72)) { try outcome.get() }
    }

    @Test("a RECV shorter than asked is a protocol violation")
    func shortReceive() {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 20, payloadSize: 0), reply(.ok, id: 1)),
            (.check(id: 1), reply(.ok, size: 26, result: 0)),
            (.receive(id: 1, length: 26), .bytes([0x0A])),
            (.reset(id: 1), reply(.ok)),
        ])
        let outcome = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 20)])[0]
        #expect(throws: USBError(.protocolViolation("RECV returned 1 of 26 bytes"), requestType: 20)) { try outcome.get() }
    }

    @Test("a disconnect fails every request at once")
    func disconnect() {
        let clock = FakeClock()
        let device = RecordedDevice(clock: clock, [
            (.initiate(type: 70, payloadSize: 0), reply(.ok, id: 1)),
            (.initiate(type: 71, payloadSize: 0), .failure(USBError(.disconnected))),
        ])
        let outcomes = RequestScheduler(transport: device, clock: clock)
            .run([ControlRequest(type: 70), ControlRequest(type: 71), ControlRequest(type: 72)])
        #expect(throws: USBError(.disconnected, requestType: 70)) { try outcomes[0].get() }
        #expect(throws: USBError(.disconnected, requestType: 71)) { try outcomes[1].get() }
        #expect(throws: USBError(.disconnected, requestType: 72)) { try outcomes[2].get() }
    }

    @Test("cancellation during a back-off wait fails the requests with .cancelled")
    func cancelled() {
        let clock = FakeClock()
        clock.cancelAt = 1006  // the first CHECK's wait (INIT ends at 1001, + 5 ms)
        let device = RecordedDevice(clock: clock, [(.initiate(type: 72, payloadSize: 0), reply(.ok, id: 1))])
        let outcome = RequestScheduler(transport: device, clock: clock).run([ControlRequest(type: 72)])[0]
        #expect(throws: USBError(.cancelled, requestType: 72)) { try outcome.get() }
    }
}

/// A device model for concurrency: counts requests active at once and answers PENDING once per request.
final class CountingDevice: ControlTransferring {
    var nextID: UInt16 = 0
    var active: [UInt16: Bool] = [:]
    var maximumActive = 0
    var inits = 0

    func control(_ setup: SetupPacket, data: [UInt8], timeoutMilliseconds: Int32) throws(USBError) -> [UInt8] {
        switch setup.request {
        case 1:
            inits += 1
            if active.count >= 4 { return ServiceReply(status: .busy).bytes }
            nextID += 1
            active[nextID] = false
            maximumActive = max(maximumActive, active.count)
            return ServiceReply(status: .ok, id: nextID).bytes
        case 2:
            guard let checked = active[setup.index] else { return ServiceReply(status: .notFound).bytes }
            if !checked {
                active[setup.index] = true
                return ServiceReply(status: .pending).bytes
            }
            active[setup.index] = nil
            return ServiceReply(status: .ok, result: Int32(setup.index)).bytes
        default:
            return ServiceReply(status: .ok).bytes
        }
    }
}

@Suite("USB requests in flight")
struct InFlightTests {
    @Test("ten requests run with at most four in flight, outcomes in order")
    func fourInFlight() throws {
        let device = CountingDevice()
        let requests = (0..<10).map { _ in ControlRequest(type: 1) }
        let outcomes = RequestScheduler(transport: device, clock: FakeClock()).run(requests)
        #expect(device.maximumActive == 4)
        #expect(device.inits == 10)
        #expect(try outcomes.map { try $0.get().result.rawValue } == Array(1...10))
    }
}
