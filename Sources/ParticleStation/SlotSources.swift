import Glibc
import ParticleCore
import ParticleHardware

/// Devices from USB hot-plug: those attached at start first, then every add and remove. A device's slot is its USB
/// path ("1-1.3": which hub port), so the operator sees where a failure is; devices outside the profile's
/// `usb_paths` are left alone.
struct HotPlugSource: Sendable {
    let profile: StationProfile
    let emit: @Sendable (StationEvent) -> Void

    func feed(_ continuation: AsyncStream<SlotEvent>.Continuation) async {
        let monitor: DeviceMonitor
        do {
            monitor = try await DeviceMonitor()
        } catch {
            let reason = (error as? any ParticleError)?.message ?? String(describing: error)
            continuation.yield(.sourceFailed("cannot watch USB hot-plug (\(reason)); pass --port for fixed ports"))
            return
        }
        var ignored: Set<String> = []
        func consider(_ event: DeviceEvent) {
            guard let port = event.device.port, event.device.usb?.mode == .normal else { return }
            let slot = Self.slotName(event.device)
            if !profile.allows(usbPath: slot) {
                if event.kind == .add, ignored.insert(slot).inserted {
                    emit(StationEvent(slot: slot, port: port, deviceID: nil, step: "slot", outcome: .skipped,
                                      detail: "USB path \(slot) is not in the profile's usb_paths; left alone"))
                }
                return
            }
            continuation.yield(event.kind == .add ? .arrived(slot: slot, port: port) : .departed(slot: slot))
        }
        for device in await monitor.attached { consider(DeviceEvent(kind: .add, device: device)) }
        while !Task.isCancelled {
            do {
                guard let event = try await monitor.next(within: nil) else { continue }
                consider(event)
            } catch {
                let reason = (error as? any ParticleError)?.message ?? String(describing: error)
                continuation.yield(.sourceFailed("USB hot-plug stopped: \(reason)"))
                break
            }
        }
        await monitor.stop()
    }

    /// The USB path, else the tty's name.
    static func slotName(_ device: DeviceIdentity) -> String {
        device.usb?.path ?? device.port.map(FixedPortSource.slotName) ?? "unknown"
    }
}

/// Devices on fixed ports (`--port`): each port is a slot, taken at start when its node exists (else when it appears);
/// after a device finished, the port takes the next device once the node went away and came back (a swap).
struct FixedPortSource: Sendable {
    let ports: [String]
    let watcher: PortWatcher
    let emit: @Sendable (StationEvent) -> Void

    func feed(_ continuation: AsyncStream<SlotEvent>.Continuation) async {
        await withTaskGroup(of: Void.self) { group in
            for port in ports {
                let slot = Self.slotName(port)
                if PortWatcher.exists(port) {
                    continuation.yield(.arrived(slot: slot, port: port))
                } else {
                    emit(StationEvent(slot: slot, port: port, deviceID: nil, step: "slot", outcome: .note,
                                      detail: "\(port) does not exist yet; waiting for a device"))
                    group.addTask { [watcher] in
                        if await watcher.wait(until: true, port) {
                            continuation.yield(.arrived(slot: slot, port: port))
                        }
                    }
                }
            }
        }
    }

    /// "/dev/ttyACM0" → "ttyACM0"; "/dev/pts/5" → "pts/5".
    static func slotName(_ port: String) -> String {
        port.hasPrefix("/dev/") ? String(port.dropFirst(5)) : port
    }
}
