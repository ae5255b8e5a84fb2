import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleHardware
import ParticleUSB

/// `particlectl usb list`
struct USBList: AsyncParsableCommand, JSONOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List attached Particle USB devices with their mode (normal, listening, protected, dfu).",
        discussion: """
            Every attached device is asked GET_DEVICE_MODE concurrently; a device in DFU mode is known by its USB \
            product ID. JSON: an array of {"usb_path","device_id","platform","port","mode"}; mode is "unknown" when \
            the device did not answer in time. Exits 0 also when no device is attached.
            """
    )

    @OptionGroup var output: OutputOptions

    @Option(parsing: .unconditional, help: "Seconds each device may take to tell its mode.", transform: Seconds.argument)
    var timeout: Seconds = 5

    func run() async throws {
        let devices = try await DeviceDiscovery.scan().filter { $0.usb?.path != nil }
        let timeout = Int64((timeout.value * 1000).rounded())
        let modes = await withTaskGroup(of: (Int, String).self) { group in
            for (index, device) in devices.enumerated() {
                group.addTask { (index, await Self.mode(of: device, timeoutMilliseconds: timeout)) }
            }
            var modes = Array(repeating: "unknown", count: devices.count)
            for await (index, mode) in group { modes[index] = mode }
            return modes
        }
        if output.json {
            let objects = zip(devices, modes).map { device, mode in
                USBFanOut.object(device, ["mode": .string(mode), "port": device.port.map(JSONValue.string) ?? .null])
            }
            Terminal.write(JSONValue.array(objects).serialized)
            return
        }
        guard !devices.isEmpty else {
            Terminal.write("No Particle devices found.")
            return
        }
        var table = Table("USB PATH", "PLATFORM", "MODE", "DEVICE ID", "PORT")
        for (device, mode) in zip(devices, modes) {
            table.append([device.usb?.path ?? "-", device.platform?.name ?? "-", mode, device.usb?.serialNumber?.lowercased() ?? "-",
                          device.port ?? "-"])
        }
        Terminal.write(table.rendered)
    }

    /// "dfu" from the product ID; otherwise what GET_DEVICE_MODE says ("unknown" when it cannot be asked).
    static func mode(of device: DeviceIdentity, timeoutMilliseconds: Int64) async -> String {
        if device.usb?.mode == .dfu { return "dfu" }
        do {
            let channel = try await USBControlChannel(device: device)
            let mode = try await ParticleUSBClient(channel: channel, timeoutMilliseconds: timeoutMilliseconds).deviceMode()
            await channel.close()
            return mode.rawValue
        } catch {
            return "unknown"
        }
    }
}
