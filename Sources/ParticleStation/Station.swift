import Foundation
import ParticleCloud
import ParticleCore
import ParticleHardware
import ParticleLedger
import ParticleProvisioning

/// What a station run is told: the profile, who and where, which ports, how many at once, when to stop.
public struct StationConfiguration: Sendable {
    public var profile: StationProfile
    /// The station's name in the ledger (default: the host name).
    public var station: String
    public var operatorName: String?
    public var lot: String?
    /// Fixed ports (a fixture wired to fixed ttys, simulated devices); empty: devices come from USB hot-plug.
    public var ports: [String]
    /// Slots working at once.
    public var concurrency: Int
    /// Stop after this many devices finished (provisioned, failed, interrupted or skipped); nil: until cancelled.
    public var count: Int?
    /// Provision again a device the ledger says is done under this profile.
    public var reprovision: Bool
    /// The Wi-Fi password (never in the profile).
    public var wifiPassword: String?
    /// How often every fixed port is checked for a device being swapped (unplugged and plugged in again) besides the
    /// file system's notifications, which normally tell at once (``PortWatcher``).
    public var portPollInterval: Double
    /// How long a ledger write waits for its database to come back before the station stops taking devices.
    public var ledgerRetry: LedgerRetry

    public init(profile: StationProfile, station: String = StationConfiguration.hostName, operatorName: String? = nil,
                lot: String? = nil, ports: [String] = [], concurrency: Int = 16, count: Int? = nil,
                reprovision: Bool = false, wifiPassword: String? = nil, portPollInterval: Double = 2,
                ledgerRetry: LedgerRetry = LedgerRetry()) {
        self.profile = profile
        self.station = station
        self.operatorName = operatorName
        self.lot = lot
        self.ports = ports
        self.concurrency = max(1, concurrency)
        self.count = count
        self.reprovision = reprovision
        self.wifiPassword = wifiPassword
        self.portPollInterval = portPollInterval
        self.ledgerRetry = ledgerRetry
    }

    public static var hostName: String { ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "station" }
}

/// The factory station: every Particle device that appears (USB hot-plug, or on the fixed ports) is provisioned in a
/// slot of its own, up to `concurrency` at once, each step committed to the ledger before the next. One cloud client,
/// one event stream and one rate-limit back-off for all slots. A device unplugged, silent or failing ends its own
/// slot and never the others.
///
/// Cancelling the task that runs `run` stops the station: no new device is taken, devices in flight are interrupted
/// (their Wi-Fi dialogue closed, their attempt recorded as interrupted), and `run` returns the summary.
public final class Station: Sendable {
    public let configuration: StationConfiguration
    let cloud: CloudClient
    let customerCloud: CloudClient?
    let ledger: Ledger

    public init(configuration: StationConfiguration, cloud: CloudClient, customerCloud: CloudClient? = nil,
                ledger: Ledger) {
        self.configuration = configuration
        self.cloud = cloud
        self.customerCloud = customerCloud
        self.ledger = ledger
    }

    public func run(events: @escaping @Sendable (StationEvent) -> Void) async throws -> StationSummary {
        let started = Date()
        var summary = StationSummary()
        summary.recovered = try await ledger.recoverInterrupted(station: configuration.station)
        if summary.recovered > 0 {
            events(StationEvent(slot: nil, port: nil, deviceID: nil, step: "ledger", outcome: .note,
                                detail: "\(summary.recovered) attempt(s) left in progress by an earlier run marked interrupted; those devices resume when seen again"))
        }
        let statusStream = SharedStatusStream(cloud: cloud, product: configuration.profile.product)
        let context = StationContext(configuration: configuration, cloud: cloud, customerCloud: customerCloud,
                                     ledger: ledger, statusStream: statusStream, emit: events)

        let configuration = self.configuration
        let (arrivals, continuation) = AsyncStream<SlotEvent>.makeStream()
        let source: Task<Void, Never>
        let watcher = PortWatcher(fallback: configuration.portPollInterval)
        if configuration.ports.isEmpty {
            source = Task { await HotPlugSource(profile: configuration.profile, emit: events).feed(continuation) }
        } else {
            source = Task { await FixedPortSource(ports: configuration.ports, watcher: watcher, emit: events).feed(continuation) }
        }
        // The loop runs in a task of its own, never cancelled: a stop request reaches it as an event, so that it
        // can interrupt the slots in flight and wait for their ends to be recorded.
        let initial = summary
        let loop = Task { () -> StationSummary in
            var summary = initial
            var board = SlotBoard(concurrency: configuration.concurrency, count: configuration.count)
            for await event in arrivals {
                switch event {
                case .arrived(let slot, let port):
                    board.arrived(slot: slot, port: port)
                case .departed(let slot):
                    if board.departed(slot: slot) {
                        events(StationEvent(slot: slot, port: nil, deviceID: nil, step: "slot", outcome: .detached,
                                            detail: "unplugged"))
                    }
                case .finished(let slot, let port, let result):
                    board.finished(slot: slot, result: result, into: &summary)
                    if !configuration.ports.isEmpty, !board.isFull {
                        // A fixed port takes its next device when this one is swapped for another.
                        board.watchers.append(Task {
                            if await watcher.waitForSwap(port) {
                                continuation.yield(.arrived(slot: slot, port: port))
                            }
                        })
                    }
                case .ledgerFailed(let slot, let message):
                    board.finished(slot: slot, result: .interrupted, into: &summary)
                    if summary.ledgerError == nil {
                        summary.ledgerError = message
                        events(StationEvent(slot: nil, port: nil, deviceID: nil, step: "ledger", outcome: .failed,
                                            error: "the ledger cannot be written (\(message)); taking no new device"))
                    }
                    board.closeIntake()
                case .sourceFailed(let message):
                    events(StationEvent(slot: nil, port: nil, deviceID: nil, step: "station", outcome: .failed, error: message))
                    board.closeIntake()
                case .stop:
                    board.stopping = true
                    board.closeIntake()
                    board.cancelRunning()
                }
                for (slot, port) in board.startable() {
                    let device = StationSlot(name: slot, port: port, context: context)
                    board.running[slot] = Task {
                        do {
                            let result = try await device.run()
                            continuation.yield(.finished(slot: slot, port: port, result: result))
                        } catch {
                            continuation.yield(.ledgerFailed(slot: slot, message: (error as? LedgerUnavailable)?.message ?? String(describing: error)))
                        }
                    }
                }
                if board.isDone { break }
            }
            summary.stop = summary.ledgerError != nil ? .ledgerUnavailable : board.stopping ? .stopped : .countReached
            source.cancel()
            for watcher in board.watchers { watcher.cancel() }
            return summary
        }
        summary = await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            continuation.yield(.stop)
        }
        continuation.finish()
        summary.eventStreamConnections = await statusStream.connections
        await statusStream.shutdown()
        summary.seconds = Date().timeIntervalSince(started)
        events(StationEvent(slot: nil, port: nil, deviceID: nil, step: "station", outcome: .finished,
                            seconds: summary.seconds,
                            detail: "\(summary.finished) device(s): \(summary.provisioned) provisioned, \(summary.failed) failed, \(summary.interrupted) interrupted, \(summary.skipped) skipped",
                            error: summary.ledgerError))
        return summary
    }
}

/// What reaches the station's loop.
enum SlotEvent: Sendable {
    case arrived(slot: String, port: String)
    case departed(slot: String)
    case finished(slot: String, port: String, result: SlotResult)
    case ledgerFailed(slot: String, message: String)
    case sourceFailed(String)
    /// The station was asked to stop.
    case stop
}

/// The slots: which run, which wait for a free place, how many were taken and finished.
struct SlotBoard {
    let concurrency: Int
    let count: Int?
    var running: [String: Task<Void, Never>] = [:]
    var waiting: [(slot: String, port: String)] = []
    var watchers: [Task<Void, Never>] = []
    var taken = 0
    var finishedCount = 0
    var intakeOpen = true
    var stopping = false

    init(concurrency: Int, count: Int?) {
        self.concurrency = concurrency
        self.count = count
    }

    /// Every device the station will take has been taken.
    var isFull: Bool { !intakeOpen || count.map { taken >= $0 } ?? false }
    /// Nothing runs and nothing more will be taken: stopped, the ledger failed, or `count` devices were taken.
    var isDone: Bool { running.isEmpty && isFull }

    mutating func arrived(slot: String, port: String) {
        guard intakeOpen, running[slot] == nil, !waiting.contains(where: { $0.slot == slot }) else { return }
        waiting.append((slot, port))
    }

    /// True when a device was there (running or waiting).
    mutating func departed(slot: String) -> Bool {
        if let task = running[slot] {
            task.cancel()
            return true
        }
        if let index = waiting.firstIndex(where: { $0.slot == slot }) {
            waiting.remove(at: index)
            return true
        }
        return false
    }

    mutating func finished(slot: String, result: SlotResult, into summary: inout StationSummary) {
        running[slot] = nil
        finishedCount += 1
        switch result {
        case .provisioned: summary.provisioned += 1
        case .failed: summary.failed += 1
        case .interrupted: summary.interrupted += 1
        case .skipped: summary.skipped += 1
        }
    }

    /// The waiting devices that may start now (free places, within `count`), removed from the queue.
    mutating func startable() -> [(String, String)] {
        var start: [(String, String)] = []
        while intakeOpen, !waiting.isEmpty, running.count + start.count < concurrency, !(count.map { taken >= $0 } ?? false) {
            let next = waiting.removeFirst()
            start.append((next.slot, next.port))
            taken += 1
        }
        return start
    }

    mutating func closeIntake() {
        intakeOpen = false
        waiting.removeAll()
    }

    func cancelRunning() {
        for task in running.values { task.cancel() }
    }
}
