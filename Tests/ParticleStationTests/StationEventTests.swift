import Foundation
import ParticleCore
import Testing
@testable import ParticleStation

/// The event's stable JSON shape.
@Suite struct StationEventTests {
    @Test func everyKeyIsAlwaysPresent() throws {
        let event = StationEvent(time: Date(timeIntervalSince1970: 1_796_000_000.25), slot: "1-1.3", port: "/dev/ttyACM0",
                                 deviceID: nil, step: "identify", outcome: .started)
        #expect(JSONOutput.line(event) == #"{"detail":null,"device_id":null,"error":null,"outcome":"started","port":"/dev/ttyACM0","seconds":null,"slot":"1-1.3","step":"identify","time":"2026-11-30T00:53:20.250Z"}"#)
    }

    @Test func secondsAreRoundedToMilliseconds() {
        let event = StationEvent(time: Date(timeIntervalSince1970: 0), slot: nil, port: nil, deviceID: "e00fce68a1b2c3d4e5f60718",
                                 step: "wait-online", outcome: .done, seconds: 0.41234567, detail: "online (spark/status event)")
        #expect(JSONOutput.line(event).contains(#""seconds":0.412,"#))
    }
}
