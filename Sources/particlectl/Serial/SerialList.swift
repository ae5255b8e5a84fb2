import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleCLISupport

/// `particlectl serial list`
struct SerialList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List attached Particle devices (serial ports and devices in DFU mode).",
        discussion: "Exits 0 also when no device is attached."
    )

    @OptionGroup var output: OutputOptions

    func run() throws {
        let devices = try DeviceDiscovery.list()
        if output.json {
            Terminal.write(JSONOutput.line(devices.map(USBDeviceJSON.init)))
            return
        }
        guard !devices.isEmpty else {
            Terminal.write("No Particle devices found.")
            return
        }
        var table = Table("PORT", "PLATFORM", "MODE", "USB ID", "SERIAL NUMBER")
        for device in devices {
            table.append([
                device.port ?? "-", device.platform?.name ?? "unknown", (device.usb?.mode ?? .normal).rawValue,
                "\(device.usb?.vendorHex ?? "-"):\(device.usb?.productHex ?? "-")", device.usb?.serialNumber ?? "-",
            ])
        }
        Terminal.write(table.rendered)
    }
}
