import ParticleCore
import ParticleSerial
import ParticleSimulators
import Testing

/// The async session: its blocking I/O runs on threads of its own, never on the cooperative pool, and cancellation
/// reaches a thread blocked in `poll`.
@Suite("ListeningModeSession")
struct ListeningModeSessionTests {
    static let claimCode = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+"

    /// 16 slow devices (one byte every 10 ms: each identify + claim-code dialogue takes about 1.6 s) driven at once.
    /// Were the dialogues blocking the cooperative pool (as many threads as cores: 2 here), they would run two at a
    /// time, ≥ 8 × 1.6 s ≈ 13 s. On their own threads they overlap: the bound below is under half that.
    @Test(.timeLimit(.minutes(1)))
    func sixteenDialoguesRunConcurrentlyOffTheCooperativePool() async throws {
        let devices = try (0..<16).map { index in
            try SimulatedDevice(SimulatedDeviceConfiguration(
                deviceID: format16(index), faults: [.slow]))
        }
        defer { devices.forEach { $0.stop() } }

        let clock = ContinuousClock()
        let started = clock.now
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, device) in devices.enumerated() {
                group.addTask {
                    try await ListeningModeSession.with(path: device.portPath, timeout: 5) { session in
                        let id = try await session.identify().deviceID.rawValue
                        try await session.setClaimCode(Self.claimCode)
                        return (index, id)
                    }
                }
            }
            var ids = [String](repeating: "", count: devices.count)
            for try await (index, id) in group { ids[index] = id }
            return ids
        }
        let elapsed = clock.now - started

        #expect(results == (0..<16).map(format16))
        #expect(devices.allSatisfy { $0.claimCode == Self.claimCode })
        #expect(elapsed < .seconds(6), "16 dialogues took \(elapsed): they did not overlap")
    }

    /// A device that never answers, a 30 s deadline, and the task cancelled after 200 ms: the session's thread wakes
    /// from `poll` at once and the call ends with `.cancelled`, not after 30 s.
    @Test(.timeLimit(.minutes(1)))
    func cancellationReachesTheBlockedThread() async throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(faults: [.silent]))
        defer { device.stop() }
        let session = try await ListeningModeSession(path: device.portPath, timeout: 30)

        let clock = ContinuousClock()
        let started = clock.now
        let task = Task { try await session.identify() }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        let elapsed = clock.now - started

        #expect(elapsed < .seconds(3), "cancellation took \(elapsed)")
        switch result {
        case .success: Issue.record("a silent device cannot identify")
        case .failure(let error):
            #expect((error as? SerialPortError)?.kind == .cancelled)
        }
        await session.close()
    }

    /// Identify-all: every port is asked at once and each result is kept in the order of the ports, failures included.
    @Test func identifyingSeveralPortsKeepsTheirOrderAndFailures() async throws {
        let good = try SimulatedDevice(SimulatedDeviceConfiguration(deviceID: "aaaaaaaaaaaaaaaaaaaaaaaa"))
        let silent = try SimulatedDevice(SimulatedDeviceConfiguration(faults: [.silent]))
        defer { good.stop(); silent.stop() }
        let clock = ContinuousClock()
        let started = clock.now
        let outcomes = await DeviceIdentification.identify(ports: [silent.portPath, good.portPath, "/dev/nonexistent-tty"],
                                                           timeout: 1)
        #expect(clock.now - started < .seconds(3), "the silent port's deadline must not add up with the others'")
        #expect(outcomes.map(\.port) == [silent.portPath, good.portPath, "/dev/nonexistent-tty"])
        #expect((outcomes[0].error as? ListeningModeError)?.kind == .silent)
        #expect(try outcomes[1].result.get().deviceID.rawValue == "aaaaaaaaaaaaaaaaaaaaaaaa")
        #expect((outcomes[2].error as? SerialPortError)?.kind == .notFound)
    }

    /// `serial listen`'s workflow: the 28800-baud signal puts a Device OS 5 device running an app into listening mode.
    @Test func enteringListeningModeSignalsAndProbes() async throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(deviceID: "bbbbbbbbbbbbbbbbbbbbbbbb",
                                                                      osVersion: "5.9.0", faults: [.appRunning]))
        defer { device.stop() }
        let identity = try await ListeningModeEntry.enter(port: device.portPath, timeout: 5)
        #expect(identity.deviceID.rawValue == "bbbbbbbbbbbbbbbbbbbbbbbb")
    }

    /// Device OS 6 ignores the signal: the workflow gives up at its deadline with `.stillNotListening`.
    @Test func deviceOS6StaysOutOfListeningMode() async throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(osVersion: "6.2.0", faults: [.appRunning]))
        defer { device.stop() }
        await #expect(throws: ListeningModeError(.stillNotListening, port: device.portPath, seconds: 1.5)) {
            try await ListeningModeEntry.enter(port: device.portPath, timeout: 1.5)
        }
    }
}

private func format16(_ index: Int) -> String {
    let hex = String(index, radix: 16)
    return "e00f" + String(repeating: "0", count: 20 - hex.count) + hex
}

extension DeviceIdentification.Outcome {
    var error: (any Error)? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
