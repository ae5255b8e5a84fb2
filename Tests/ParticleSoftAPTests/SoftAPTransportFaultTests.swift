import Foundation
import ParticleCore
import ParticleSimulators
import ParticleSoftAP
import Testing

/// Transport faults of issue 11 (a reset or a close before the first byte) and cancellation reaching the I/O thread.
extension ClientSimulatorTests {
    static let cutOffs: [(SoftAPFault.Kind, SoftAPAddress.Transport)] = [.reset, .close].flatMap { kind in
        SoftAPAddress.Transport.allCases.map { (kind, $0) }
    }

    @Test("a reset or a close before the first byte is a transport failure, and is retried", arguments: cutOffs)
    func cutOffIsRetried(kind: SoftAPFault.Kind, transport: SoftAPAddress.Transport) async throws {
        for command in ["device-id", "scan-ap", "public-key"] {
            let events = try await withSimulator(transport, faults: [SoftAPFault(kind: kind, command: command, count: 2)]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
                switch command {
                case "device-id": #expect(try await client.deviceInfo().id.rawValue.count == 24)
                case "scan-ap": #expect(try await client.scan().isEmpty == false)
                default: #expect(try await client.publicKey().keySizeInBits == 1024)
                }
            }
            #expect(events.filter { if case .request(_, command, _) = $0 { true } else { false } }.count == 3)
        }
    }

    @Test("configure-ap cut off before the first byte is retried too", arguments: SoftAPAddress.Transport.allCases)
    func configureCutOffIsRetried(transport: SoftAPAddress.Transport) async throws {
        let events = try await withSimulator(transport, faults: [SoftAPFault(kind: .reset, command: "configure-ap", count: 1)]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            let key = try await client.publicKey()
            try await client.configure(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 0x40_0004), channel: 6,
                                       credentials: .password(Self.password), publicKey: key)
        }
        #expect(events.filter { if case .request(_, "configure-ap", _) = $0 { true } else { false } }.count == 2)
        #expect(events.contains { if case .credentialsStored = $0 { true } else { false } })
    }

    @Test("out of attempts, a cut-off says what happened (not \"the device refused\")", arguments: cutOffs)
    func cutOffWithoutRetries(kind: SoftAPFault.Kind, transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport, faults: [SoftAPFault(kind: kind)], options: { $0.attempts = 1 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            do {
                _ = try await client.deviceInfo()
                Issue.record("\(kind) did not fail")
            } catch let error as SoftAPError {
                #expect(error == .noReply(command: .deviceID, reset: kind == .reset))
                #expect(error.exitStatus == .io)
                #expect(error.message == "the connection was \(kind == .reset ? "reset" : "closed") before any reply to device-id; retry, and stay close to the device")
            }
        }
    }

    @Test("the device's own empty answer is still a refusal, not retried", arguments: SoftAPAddress.Transport.allCases)
    func emptyAnswerIsNotRetried(transport: SoftAPAddress.Transport) async throws {
        let events = try await withSimulator(transport, faults: [SoftAPFault(kind: .empty, command: "device-id")]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            await #expect(throws: SoftAPError.emptyReply(command: .deviceID)) { try await client.deviceInfo() }
        }
        #expect(events.filter { if case .request(_, "device-id", _) = $0 { true } else { false } }.count == 1)
    }

    @Test("connect-ap is sent once even when reset before answering")
    func connectIsNeverRetried() async throws {
        let events = try await withSimulator(.tcp, faults: [SoftAPFault(kind: .reset, command: "connect-ap")]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.connect() == .sentWithoutReply)
        }
        #expect(events.filter { if case .request(_, "connect-ap", _) = $0 { true } else { false } }.count == 1)
    }

    @Test("a cancelled scan ends at once and closes its socket", arguments: SoftAPAddress.Transport.allCases)
    func cancelledScanEndsPromptly(transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport, faults: [SoftAPFault(kind: .stall, command: "scan-ap")], options: {
            $0.slowReplyTimeout = 30
            $0.attempts = 3
        }) { (client: SoftAPClient, simulator: SoftAPSimulator) async throws in
            var events = simulator.events.makeAsyncIterator()
            let scan = Task { () -> SoftAPError? in
                do {
                    _ = try await client.scan()
                    return nil
                } catch let error as SoftAPError {
                    return error
                } catch {
                    return nil
                }
            }
            // Wait until the device holds the request, then cancel.
            while let event = await events.next() {
                if case .request(_, "scan-ap", _) = event { break }
            }
            let cancelled = Date()
            scan.cancel()
            let error = await scan.value
            #expect(Date().timeIntervalSince(cancelled) < 0.5)
            #expect(error == .cancelled(command: .scanAP))
            // The device sees the connection closed (the stall fault waits for exactly that).
            var closed = false
            while let event = await events.next() {
                if case .clientClosed(_, "scan-ap") = event { closed = true; break }
            }
            #expect(closed)
            #expect(Date().timeIntervalSince(cancelled) < 2)
        }
    }
}
