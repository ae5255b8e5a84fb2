import ParticleCore
import ParticleHardware

/// Control requests to one attached Particle device, from async code. The libusb work runs on a thread of the
/// device's own (an `IOThread` is this actor's executor), never on Swift's cooperative pool; cancelling the calling
/// task cancels the transfer in progress. Requests sent together run concurrently on the device (at most four in
/// flight); calls are served one after the other.
public actor USBControlChannel {
    public nonisolated let device: DeviceIdentity
    private let thread: IOThread
    private var usb: LibUSBDevice?
    private let clock = MonotonicSchedulerClock()

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Where the device is, for messages: its USB path, else its serial number.
    public nonisolated var label: String { device.usb?.path ?? device.usb?.serialNumber ?? "unknown" }

    /// Opens `device` (found by its `usbPath`) and drops requests an earlier session left active (RESET(0)).
    public init(device: DeviceIdentity) async throws(USBError) {
        self.device = device
        thread = IOThread(name: "usb-\(device.usb?.path ?? "device")")
        guard let path = device.usb?.path else {
            thread.shutdown()
            throw USBError(.noDevice, device: device.usb?.serialNumber)
        }
        // Every stored property is set: from here the initializer runs on the device's thread (the actor's executor).
        do throws(USBError) {
            let opened = try LibUSBDevice(usbPath: path)
            try RequestScheduler(transport: opened, clock: clock).resetAll()
            usb = opened
        } catch {
            thread.shutdown()
            throw error
        }
    }

    deinit { thread.shutdown() }

    /// Releases the device (idempotent). Later calls fail with `.noDevice`.
    public func close() {
        usb = nil
        thread.shutdown()
    }

    /// Runs `requests` (at most four in flight) and returns their outcomes in order. A failure is per request;
    /// a disconnect or cancellation fails them all.
    public func send(_ requests: [ControlRequest]) async -> [Result<ControlReply, USBError>] {
        let outcomes = await cancellable { usb, clock in RequestScheduler(transport: usb, clock: clock).run(requests) }
        guard let outcomes else { return requests.map { _ in .failure(USBError(.noDevice, device: label)) } }
        return outcomes.map { $0.mapError { $0.on(label) } }
    }

    /// One request; its reply data when the device's result is 0, else the error.
    public func send(_ request: ControlRequest) async throws(USBError) -> [UInt8] {
        let outcome = await send([request])
        guard let first = outcome.first else { throw USBError(.cancelled, device: label) }
        do {
            return try first.get().checked(type: request.type)
        } catch {
            throw error.on(label)
        }
    }

    /// A raw 'P' read (no id, no status, not subject to Protected mode).
    public func quickRead(_ request: QuickRequest) async throws(USBError) -> [UInt8] {
        let result: Result<[UInt8], USBError>? = await cancellable { usb, clock in
            do throws(USBError) {
                return .success(try RequestScheduler(transport: usb, clock: clock).quickRead(request))
            } catch {
                return .failure(error)
            }
        }
        guard let result else { throw USBError(.noDevice, device: label) }
        return try result.mapError { $0.on(label) }.get()
    }

    /// Runs `body` on this device's thread with a cancellation signal that the calling task's cancellation fires
    /// (a transfer in progress is then cancelled, a back-off wait cut short). nil once the channel is closed.
    private func cancellable<T>(_ body: (LibUSBDevice, MonotonicSchedulerClock) -> T) async -> T? {
        guard let usb else { return nil }
        let signal = CancellationSignal()
        usb.cancellation = signal
        clock.cancellation = signal
        defer {
            usb.cancellation = nil
            clock.cancellation = nil
        }
        return await withTaskCancellationHandler {
            body(usb, clock)
        } onCancel: {
            signal.fire()
        }
    }
}
