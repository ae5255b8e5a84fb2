import ParticleCore
import ParticleProvisioning
import Synchronization
import Testing

/// The order `SerialLink.enterListeningMode` tries: the serial trigger, then USB START_LISTENING.
@Suite("Listening mode: serial trigger, then USB control request")
struct ListeningModeFallbackTests {
    final class Calls: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ call: String) { list.withLock { $0.append(call) } }
        var all: [String] { list.withLock { $0 } }
    }

    struct Refused: Error, Equatable { var by: String }

    @Test func theSerialTriggerFirstAndUSBNotAskedWhenItWorks() async throws {
        let calls = Calls()
        try await ListeningModeFallback.enter(serial: { calls.add("serial") }, usb: { calls.add("usb") })
        #expect(calls.all == ["serial"])
    }

    @Test func aDeviceThatIgnoresTheSerialTriggerIsAskedOverUSB() async throws {
        let calls = Calls()
        try await ListeningModeFallback.enter(serial: { calls.add("serial"); throw Refused(by: "serial") },
                                              usb: { calls.add("usb") })
        #expect(calls.all == ["serial", "usb"])
    }

    @Test func whenBothFailTheSerialErrorSaysWhatToDo() async throws {
        await #expect(throws: Refused(by: "serial")) {
            try await ListeningModeFallback.enter(serial: { throw Refused(by: "serial") }, usb: { throw Refused(by: "usb") })
        }
    }

    @Test func aCancelledEntryDoesNotFallBack() async throws {
        let calls = Calls()
        await #expect(throws: CancellationError.self) {
            try await ListeningModeFallback.enter(serial: { calls.add("serial"); throw CancellationError() },
                                                  usb: { calls.add("usb") })
        }
        #expect(calls.all == ["serial"])
    }
}
