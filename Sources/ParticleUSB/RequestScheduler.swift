/// One control transfer on endpoint 0: the seam between the protocol and libusb (tests answer with recorded bytes).
public protocol ControlTransferring: AnyObject {
    /// Makes the transfer and returns the IN data (empty for OUT). `timeoutMilliseconds` bounds this one transfer.
    func control(_ setup: SetupPacket, data: [UInt8], timeoutMilliseconds: Int32) throws(USBError) -> [UInt8]
}

/// Time for the scheduler: what time it is and a wait that cancellation can cut short.
public protocol SchedulerClock: AnyObject {
    /// Monotonic milliseconds.
    func now() -> Int64
    /// Returns at `time` (or at once if it passed); throws `.cancelled` when cancelled meanwhile.
    func sleep(until time: Int64) throws(USBError)
}

/// Runs control requests over one device's transfers: at most four in flight (the device's limit), one transfer at a
/// time, the most overdue first; a RESET for every request abandoned after it got an id. Synchronous: it runs on
/// the device's own thread.
public struct RequestScheduler {
    /// Device OS keeps at most four requests active (`USB_REQUEST_MAX_ACTIVE_COUNT`).
    public static let maximumInFlight = 4
    /// The longest one control transfer may take (particle-usb's libusb timeout).
    public static let transferTimeoutMilliseconds: Int64 = 5000

    private let transport: any ControlTransferring
    private let clock: any SchedulerClock

    public init(transport: any ControlTransferring, clock: any SchedulerClock) {
        self.transport = transport
        self.clock = clock
    }

    /// Runs every request (at most four at once) and returns their outcomes in the same order.
    public func run(_ requests: [ControlRequest]) -> [Result<ControlReply, USBError>] {
        var outcomes: [Result<ControlReply, USBError>?] = Array(repeating: nil, count: requests.count)
        var waiting = Array(requests.indices)
        var active: [(index: Int, exchange: RequestExchange)] = []
        var resets: [UInt16] = []

        func finish(_ slot: Int, _ outcome: Result<ControlReply, USBError>) {
            let entry = active.remove(at: slot)
            if case .failure = outcome, let id = entry.exchange.id { resets.append(id) }
            outcomes[entry.index] = outcome
        }
        func failEverything(_ error: USBError) {
            for entry in active { outcomes[entry.index] = .failure(error.about(entry.exchange.request.type)) }
            for index in waiting { outcomes[index] = .failure(error.about(requests[index].type)) }
            active.removeAll()
            waiting.removeAll()
        }

        while !active.isEmpty || !waiting.isEmpty {
            while active.count < Self.maximumInFlight, !waiting.isEmpty {
                let index = waiting.removeFirst()
                active.append((index, RequestExchange(requests[index], now: clock.now())))
            }
            // Abandoned requests are reset first (their result does not matter; a failure here is not the caller's).
            if !resets.isEmpty {
                let id = resets.removeFirst()
                do throws(USBError) {
                    _ = try transport.control(.reset(id: id), data: [], timeoutMilliseconds: 1000)
                } catch where error.kind == .disconnected || error.kind == .cancelled {
                    failEverything(error)
                } catch {}
                continue
            }
            // Finished ones leave; the rest are ordered by when their next transfer is due.
            var slot = 0
            var due: (slot: Int, time: Int64)?
            while slot < active.count {
                switch active[slot].exchange.action {
                case .finished(let outcome):
                    finish(slot, outcome)
                    continue
                case .transfer(_, _, let notBefore):
                    if due.map({ notBefore < $0.time }) ?? true { due = (slot, notBefore) }
                }
                slot += 1
            }
            guard let next = due else { continue }
            let deadline = active[next.slot].exchange.deadline
            do throws(USBError) {
                try clock.sleep(until: min(next.time, deadline))
            } catch {
                failEverything(error)
                continue
            }
            let now = clock.now()
            if now >= deadline {
                active[next.slot].exchange.failed(USBError(.timedOut))
                continue
            }
            guard case .transfer(let setup, let data, _) = active[next.slot].exchange.action else { continue }
            let timeout = Int32(min(Self.transferTimeoutMilliseconds, max(1, deadline - now)))
            do throws(USBError) {
                let reply = try transport.control(setup, data: data, timeoutMilliseconds: timeout)
                active[next.slot].exchange.received(reply, now: clock.now())
            } catch {
                switch error.kind {
                case .disconnected, .cancelled, .accessDenied, .noDevice:
                    failEverything(error)
                default:
                    active[next.slot].exchange.failed(error)
                }
            }
        }
        // Best effort: reset what was abandoned last, unless the device is gone.
        for id in resets {
            do throws(USBError) {
                _ = try transport.control(.reset(id: id), data: [], timeoutMilliseconds: 1000)
            } catch { break }
        }
        return outcomes.map { $0 ?? .failure(USBError(.cancelled)) }
    }

    /// A raw 'P' read: one IN transfer, no id, no status.
    public func quickRead(_ request: QuickRequest, timeoutMilliseconds: Int32 = 5000) throws(USBError) -> [UInt8] {
        try transport.control(.quickRead(request), data: [], timeoutMilliseconds: timeoutMilliseconds)
    }

    /// RESET(0): drops every request an earlier session left active. Its result is ignored, as particle-usb does.
    public func resetAll() throws(USBError) {
        do {
            _ = try transport.control(.reset(id: 0), data: [], timeoutMilliseconds: 1000)
        } catch where error.kind == .disconnected || error.kind == .cancelled || error.kind == .noDevice {
            throw error
        } catch {}
    }
}
