import ParticleStation
import Synchronization

/// Every event a station emitted, in order, for a test to read while the station runs.
final class StationEventLog: Sendable {
    private let list = Mutex<[StationEvent]>([])
    func append(_ event: StationEvent) { list.withLock { $0.append(event) } }
    var all: [StationEvent] { list.withLock { $0 } }
}
