import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud subscribe`.
struct CloudSubscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print events from the event stream as they arrive.",
        discussion: """
            Without a prefix: all events of your devices. Opening is retried with back-off when the cloud fails \
            (5xx, network); a stream the cloud closes is reopened at once, with back-off after failures. Events \
            published while no stream is open are not delivered (the cloud keeps no history). Runs until \
            interrupted, --count events arrived, or --timeout passed (exit 4 if --count was not reached by then). \
            JSON: one object per line: {"name", "data", "ttl", "published_at", "coreid"}.
            """
    )

    @Argument(help: "Event name prefix (e.g. spark/status).")
    var prefix: String?
    @Option(name: .long, help: "Only this device's events (ID or name).")
    var device: String?
    @Option(name: .long, help: "Stop after this many events.")
    var count: Int?
    @Option(name: .long, parsing: .unconditional, help: "Stop after this many seconds (0.01–86400).", transform: Seconds.argument)
    var timeout: Seconds?
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if device != nil && product.product != nil { throw ValidationError("give --device or --product, not both") }
    }

    enum Outcome: Sendable { case counted, ended, timedOut(Int), notOpened }

    func run() async throws {
        let filter = EventFilter(prefix: prefix, device: try device.map(deviceReference), product: product.product)
        let json = output.json
        let count = self.count
        let timeout = self.timeout?.value
        // Opening is retried like a reconnect (a 503 while the stream service restarts), within --timeout.
        let defaults = StreamOptions()
        let options = StreamOptions(openRetries: defaults.maximumReconnects)
        let outcome = try await CloudSession(cloud).run { client -> Outcome in
            let seen = Counter()
            let opened = Counter()
            return try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    let subscription = try await client.events.subscribe(filter, options: options)
                    defer { subscription.cancel() }
                    _ = opened.increment()
                    for try await event in subscription {
                        Self.print(event, json: json)
                        if let count, seen.increment() >= count { return .counted }
                    }
                    return .ended
                }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
                        return opened.value == 0 ? .notOpened : .timedOut(seen.value)
                    }
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .ended
            }
        }
        switch outcome {
        case .timedOut(let received) where count != nil:
            throw UserError(.timedOut, "received \(received) of \(count ?? 0) events within \(timeout ?? 0) s")
        case .notOpened:
            throw UserError(.timedOut, "the event stream did not open within \(timeout ?? 0) s (the cloud kept failing); try again later, --verbose shows each attempt")
        default:
            break
        }
    }

    static func print(_ event: CloudEvent, json: Bool) {
        if json {
            struct Line: Encodable {
                var name: String
                var data: String
                var ttl: Nullable<Int>
                var published_at: Nullable<String>
                var coreid: Nullable<String>
            }
            printJSON(Line(name: event.name, data: event.data, ttl: Nullable(event.ttl), published_at: Nullable(event.publishedAt),
                           coreid: Nullable(event.coreID)))
        } else {
            let safe = UntrustedText.escaped
            Terminal.write("\(safe(event.publishedAt ?? "-"))  \(safe(event.coreID ?? "-"))  \(safe(event.name))  \(safe(event.data))")
        }
    }
}

/// A thread-safe event counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        count += 1
        return count
    }

    var value: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }
}
