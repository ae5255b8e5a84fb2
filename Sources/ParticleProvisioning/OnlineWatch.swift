import ParticleCloud

/// Waits for a device to come online by two paths at once, whichever sees it first: the `spark/status` event stream
/// (subscribed before the device was released, so the event cannot pass unseen) and polling the device info, every
/// `pollInterval` seconds growing by half each time up to `maximumPollInterval` (a missed event or a dead stream
/// costs one poll interval, not the whole timeout).
struct OnlineWatch: Sendable {
    var deviceID: String
    var timeout: Double
    var pollInterval: Double
    var maximumPollInterval: Double
    /// True when the device info says online (and owned by the expected owner).
    var isOnline: @Sendable () async throws -> Bool
    /// About once a second: seconds elapsed and left.
    var tick: @Sendable (_ elapsed: Double, _ remaining: Double) -> Void

    private enum Outcome: Sendable {
        case online(String)
        /// That path gave up (the stream ended or broke); the others go on.
        case gaveUp
        case timedOut
    }

    /// How the device was seen online ("online (spark/status event)", "online (polled device info)").
    func wait(events: AsyncThrowingStream<CloudEvent, any Error>?) async throws -> String {
        let id = deviceID.lowercased()
        let watch = self
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            if let events {
                group.addTask {
                    do {
                        for try await event in events
                        where event.name == "spark/status" && event.data == "online" && event.coreID?.lowercased() == id {
                            return .online("online (spark/status event)")
                        }
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // A broken stream: polling goes on.
                    }
                    return .gaveUp
                }
            }
            group.addTask {
                var interval = watch.pollInterval
                while true {
                    try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                    do {
                        if try await watch.isOnline() { return .online("online (polled device info)") }
                    } catch let error as CloudError where error.kind == .authentication {
                        throw error
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // A failed poll (rate limit, a network blip): the next one may work.
                    }
                    interval = min(watch.maximumPollInterval, interval * 1.5)
                }
            }
            group.addTask {
                try await DeadlineTicker(seconds: watch.timeout, tick: watch.tick).run()
                return .timedOut
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                switch outcome {
                case .online(let how): return how
                case .gaveUp: continue
                case .timedOut:
                    // One last look, in case the device came online between two polls.
                    if (try? await watch.isOnline()) == true { return "online (device info)" }
                    throw OnlineTimeoutError(deviceID: watch.deviceID, seconds: watch.timeout)
                }
            }
            throw OnlineTimeoutError(deviceID: watch.deviceID, seconds: watch.timeout)
        }
    }
}
