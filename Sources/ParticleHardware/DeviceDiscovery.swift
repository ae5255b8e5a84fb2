import Glibc
import ParticleCore

/// Finds attached Particle devices through libudev.
public enum DeviceDiscovery {
    /// Every Particle device attached now: one entry per Particle tty, plus one per Particle USB device that has no
    /// tty (DFU mode, or a mode without a serial interface). Sorted by port.
    public static func list() throws -> [DeviceIdentity] {
        let context = try UdevContext()
        var found: [DeviceIdentity] = []
        var usbWithTTY: Set<String> = []
        for path in try context.syspaths(subsystem: "tty") {
            guard let node = context.device(syspath: path), let device = node.particleDevice else { continue }
            if let usb = node.usbSyspath { usbWithTTY.insert(usb) }
            found.append(device)
        }
        for path in try context.syspaths(subsystem: "usb", devtype: "usb_device") where !usbWithTTY.contains(path) {
            guard let node = context.device(syspath: path), let device = node.particleDevice else { continue }
            found.append(device)
        }
        return found.sorted(by: DeviceIdentity.listingOrder)
    }

    /// `list()` on a thread of its own: libudev walks sysfs with blocking reads, which must not hold a cooperative
    /// thread.
    public static func scan() async throws -> [DeviceIdentity] {
        try await IOThread.run(name: "udev-scan") { try list() }
    }
}

/// A Particle device plugged in or unplugged.
public struct DeviceEvent: Sendable, Hashable, Encodable {
    public enum Kind: String, Sendable, Codable { case add, remove }
    public var kind: Kind
    public var device: DeviceIdentity

    public init(kind: Kind, device: DeviceIdentity) {
        self.kind = kind
        self.device = device
    }

    enum CodingKeys: String, CodingKey { case event }

    /// The device's keys (`USBDeviceJSON`) plus `"event": "add" | "remove"`, flat.
    public func encode(to encoder: any Encoder) throws {
        try USBDeviceJSON(device).encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .event)
    }
}

/// Watches Particle devices come and go. Not Sendable: use it from one task.
public final class DeviceWatcher {
    private let context: UdevContext
    private let monitor: UdevMonitor
    /// What we reported as present, by syspath, so that a removal can be described after sysfs is gone.
    private var present: [String: DeviceIdentity] = [:]

    public init() throws {
        context = try UdevContext()
        monitor = try UdevMonitor(context: context)
        // Remember what is already attached so its removal can be reported with full details.
        for path in try context.syspaths(subsystem: "tty") {
            if let node = context.device(syspath: path), let device = node.particleDevice { present[path] = device }
        }
        for path in try context.syspaths(subsystem: "usb", devtype: "usb_device") {
            if let node = context.device(syspath: path), let device = node.particleDevice, device.usb?.mode == .dfu {
                present[path] = device
            }
        }
        initiallyPresent = present.values.sorted(by: DeviceIdentity.listingOrder)
    }

    /// The Particle devices attached when the watcher started (before any event), in listing order.
    public var attachedAtStart: [DeviceIdentity] { initiallyPresent }
    private var initiallyPresent: [DeviceIdentity] = []

    /// Waits up to `timeoutMilliseconds` (-1: forever) for the next Particle event; nil when the time ran out or
    /// `cancellation` fired.
    public func next(timeoutMilliseconds: Int32, cancellation: CancellationSignal? = nil) throws -> DeviceEvent? {
        var remaining = timeoutMilliseconds
        let start = MonotonicDeadline.now()
        var entries = [pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        if let wake = cancellation?.pollEntry { entries.append(wake) }
        while true {
            if cancellation?.isFired == true { return nil }
            for index in entries.indices { entries[index].revents = 0 }
            let ready = poll(&entries, nfds_t(entries.count), remaining)
            if ready < 0 {
                if errno == EINTR { continue }
                throw UserError(.io, "waiting for udev events failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 || cancellation?.isFired == true { return nil }
            while let node = monitor.receive() {
                if let event = interpret(node) { return event }
            }
            if timeoutMilliseconds >= 0 {
                remaining = max(0, timeoutMilliseconds - Int32(MonotonicDeadline.now() - start))
                if remaining == 0 { return nil }
            }
        }
    }

    private func interpret(_ node: UdevDevice) -> DeviceEvent? {
        switch node.action {
        case "add":
            guard let device = node.particleDevice else { return nil }
            // A normal-mode device is reported through its tty; its bare usb_device only in DFU mode.
            if node.subsystem == "usb", device.usb?.mode != .dfu { return nil }
            present[node.syspath] = device
            return DeviceEvent(kind: .add, device: device)
        case "remove":
            guard let device = present.removeValue(forKey: node.syspath) else { return nil }
            return DeviceEvent(kind: .remove, device: device)
        default:
            return nil
        }
    }
}


/// Hot-plug events for async code: a `DeviceWatcher` on a thread of its own (the udev monitor is polled there, never
/// on a cooperative thread). Cancelling the waiting task ends the wait at once.
public actor DeviceMonitor {
    private let thread: IOThread
    private var watcher: DeviceWatcher?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Starts watching. Events from this moment on are delivered; devices already attached are in `attached`.
    public init() async throws {
        thread = IOThread(name: "udev-monitor")
        watcher = nil
        do {
            watcher = try DeviceWatcher()
        } catch {
            thread.shutdown()
            throw error
        }
    }

    deinit { thread.shutdown() }

    /// The Particle devices that were attached when the monitor started.
    public var attached: [DeviceIdentity] { watcher?.attachedAtStart ?? [] }

    /// The next Particle event, or nil when `seconds` pass first (nil `seconds`: no limit) or the task is cancelled.
    public func next(within seconds: Double?) async throws -> DeviceEvent? {
        guard let watcher else { return nil }
        let deadline = seconds.map { MonotonicDeadline(seconds: $0) }
        let signal = CancellationSignal()
        return try await withTaskCancellationHandler {
            try watcher.next(timeoutMilliseconds: deadline.map { Int32($0.remainingMilliseconds) } ?? -1,
                             cancellation: signal)
        } onCancel: {
            signal.fire()
        }
    }

    /// Stops watching. Idempotent.
    public func stop() {
        watcher = nil
        thread.shutdown()
    }
}
