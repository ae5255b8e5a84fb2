import ParticleCore
import ParticleHardware

/// Waiting for a device that was told to reset (after a firmware update, a reset request): first for it to go away,
/// then for it to answer control requests again at the same USB path.
public enum DeviceRestart {
    /// Waits up to `goneWithin` ms for the device to stop answering (it resets about a second after its reply), then
    /// up to `backWithin` ms for it to answer again; returns its firmware modules then. Polls every 250/500 ms.
    public static func modulesAfterRestart(of device: DeviceIdentity, goneWithin: Int64 = 5000,
                                           backWithin: Int64 = 60_000) async throws(USBError) -> [FirmwareModule] {
        let goneBy = MonotonicDeadline(millisecondsFromNow: goneWithin)
        while !goneBy.hasPassed {
            if await !answers(device) { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        let backBy = MonotonicDeadline(millisecondsFromNow: backWithin)
        var lastError = USBError(.timedOut, device: device.usb?.path)
        while !backBy.hasPassed {
            if Task.isCancelled { throw USBError(.cancelled, device: device.usb?.path) }
            do throws(USBError) {
                let channel = try await USBControlChannel(device: device)
                let modules = try await ParticleUSBClient(channel: channel, timeoutMilliseconds: 5000).modules()
                await channel.close()
                return modules
            } catch {
                lastError = error
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        throw lastError.kind == .timedOut ? lastError : USBError(.timedOut, device: device.usb?.path)
    }

    private static func answers(_ device: DeviceIdentity) async -> Bool {
        do {
            let channel = try await USBControlChannel(device: device)
            _ = try await channel.quickRead(.systemVersion)
            await channel.close()
            return true
        } catch {
            return false
        }
    }
}
