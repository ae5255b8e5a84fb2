import ParticleCore
import Testing
@testable import ParticleUSB

@Suite("USB control-request codec")
struct CodecTests {
    @Test("setup packets are byte-exact (spec §1.2)")
    func setupPackets() {
        #expect(SetupPacket.initiate(type: 72, payloadSize: 0).bytes == [0xC0, 0x01, 0x00, 0x00, 0x48, 0x00, 0x40, 0x00])
        #expect(SetupPacket.initiate(type: 200, payloadSize: 0x0102).bytes == [0xC0, 0x01, 0x02, 0x01, 0xC8, 0x00, 0x40, 0x00])
        #expect(SetupPacket.check(id: 0x1234).bytes == [0xC0, 0x02, 0x00, 0x00, 0x34, 0x12, 0x40, 0x00])
        #expect(SetupPacket.send(id: 7, length: 4096).bytes == [0x40, 0x03, 0x00, 0x00, 0x07, 0x00, 0x00, 0x10])
        #expect(SetupPacket.receive(id: 7, length: 3).bytes == [0xC0, 0x04, 0x00, 0x00, 0x07, 0x00, 0x03, 0x00])
        #expect(SetupPacket.reset(id: 0).bytes == [0xC0, 0x05, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00])
        #expect(SetupPacket.quickRead(.systemVersion).bytes == [0xC0, 0x50, 0x00, 0x00, 0x1E, 0x00, 0x40, 0x00])
        #expect(SetupPacket.quickRead(.deviceID).description == "c05000001400" + "4000")
    }

    @Test("the spec's example service replies parse")
    func examples() throws {
        #expect(try ServiceReply.parse([0x03, 0, 0, 0, 0, 0, 0x01, 0]) == ServiceReply(status: .ok, id: 1))
        #expect(try ServiceReply.parse([0x09, 0, 0, 0, 0, 0, 0x88, 0xFF, 0xFF, 0xFF])
            == ServiceReply(status: .ok, result: -120))
        #expect(try ServiceReply.parse([0x0D, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0])
            == ServiceReply(status: .ok, size: 3, result: 0))
        #expect(try ServiceReply.parse([0x01, 0, 0, 0, 0x03, 0]) == ServiceReply(status: .busy))
    }

    @Test("service replies round-trip through bytes")
    func roundTrip() throws {
        let reply = ServiceReply(status: .ok, id: 0xBEEF, size: 70_000, result: -1801)
        #expect(reply.bytes.count == 16)
        #expect(try ServiceReply.parse(reply.bytes) == reply)
    }

    @Test("malformed service replies are protocol violations", arguments: [
        [UInt8](), [0x01, 0, 0], [0x02, 0, 0, 0, 1, 0], [0x01, 0, 0, 0, 9, 0], [0x03, 0, 0, 0, 0, 0, 1],
        [0x0D, 0, 0, 0, 0, 0, 3, 0, 0, 0],
    ])
    func malformed(bytes: [UInt8]) {
        #expect(throws: USBError.self) { try ServiceReply.parse(bytes) }
        do {
            _ = try ServiceReply.parse(bytes)
        } catch {
            if case .protocolViolation = error.kind {} else { Issue.record("unexpected \(error.kind)") }
            #expect(error.exitStatus == .remoteError)
        }
    }

    @Test("errors are one line with the README's exit codes")
    func errors() {
        let protected = USBError(.protected, requestType: 72, device: "1-1")
        #expect(protected.message == "the device at 1-1 is in Protected mode (Device OS 6): it refuses request "
            + "GET_DEVICE_MODE (72) (-1801); unprotect it or put it in Service Mode, then try again")
        #expect(protected.exitStatus == .remoteError)
        let unsupported = USBError(.requestFailed(.notSupported), requestType: 554)
        #expect(unsupported.message == "the device does not support request GET_ICCID (554) (-120); it may need a newer Device OS")
        let failed = USBError(.requestFailed(ResultCode(-210)), requestType: 70, device: "1-2")
        #expect(failed.message == "the device at 1-2 answered request START_LISTENING (70) with invalid state (-210); "
            + "check the device's state and try again")
        #expect(USBError(.timedOut).exitStatus == .timedOut)
        #expect(USBError(.disconnected).exitStatus == .io)
        #expect(USBError(.accessDenied).exitStatus == .io)
        #expect(USBError(.noDevice).exitStatus == .notFound)
        #expect(USBError(.stalled, requestType: 999).message == "the device refused request 999 (USB stall); it may not support it in its current mode")
        for kind: USBError.Kind in [.busy, .timedOut, .stalled, .cancelledByDevice, .disconnected, .accessDenied,
                                    .noDevice, .protocolViolation("x"), .io("y"), .cancelled, .protected] {
            #expect(!USBError(kind).message.contains("\n"))
        }
    }

    @Test("a reply with result -1801 is a Protected-mode error, other results are request failures")
    func checkedReplies() throws {
        #expect(try ControlReply(result: .none, data: [1, 2]).checked(type: 20) == [1, 2])
        #expect(throws: USBError(.protected, requestType: 72)) { try ControlReply(result: .protected).checked(type: 72) }
        #expect(throws: USBError(.requestFailed(ResultCode(-120)), requestType: 10)) {
            try ControlReply(result: ResultCode(-120)).checked(type: 10)
        }
    }
}
