import ParticleCore
import ParticleHardware

/// Resets a device into DFU mode (the 14400-baud signal, every Device OS) and, optionally, confirms through the USB
/// hot-plug monitor that the same device came back with its DFU product id.
public enum DFUReset {
    public struct Outcome: Sendable, Equatable {
        /// True once the device re-appeared in DFU mode; false when not waited for.
        public var confirmed: Bool
        public var port: String
        /// The USB serial number of the device (its device ID), when known.
        public var serialNumber: String?
    }

    /// Sends the signal to `port`; with `confirm`, waits up to `timeout` seconds for the DFU device to appear, else
    /// throws `ListeningModeError` `.noDFUDevice`.
    public static func reset(port: String, confirm: Bool, timeout: Double) async throws -> Outcome {
        // Who is on that port, so the DFU device that appears can be matched to it.
        let known = (try? await DeviceDiscovery.scan())?.first { $0.port == port }
        guard confirm else {
            try await ListeningModeSession.signal(.dfu, path: port)
            return Outcome(confirmed: false, port: port, serialNumber: known?.usb?.serialNumber)
        }
        // Start watching before the reset so the event cannot be missed.
        let monitor = try await DeviceMonitor()
        do {
            let outcome = try await waitForDFU(monitor, port: port, serialNumber: known?.usb?.serialNumber, timeout: timeout)
            await monitor.stop()
            return outcome
        } catch {
            await monitor.stop()
            throw error
        }
    }

    private static func waitForDFU(_ monitor: DeviceMonitor, port: String, serialNumber: String?,
                                   timeout: Double) async throws -> Outcome {
        try await ListeningModeSession.signal(.dfu, path: port)
        let deadline = MonotonicDeadline(seconds: timeout)
        while !deadline.hasPassed {
            guard let event = try await monitor.next(within: Double(deadline.remainingMilliseconds) / 1000) else { break }
            guard event.kind == .add, event.device.usb?.mode == .dfu else { continue }
            if let serialNumber, event.device.usb?.serialNumber != serialNumber { continue }
            return Outcome(confirmed: true, port: port, serialNumber: event.device.usb?.serialNumber)
        }
        try Task.checkCancellation()
        throw ListeningModeError(.noDFUDevice, port: port, seconds: timeout)
    }
}
