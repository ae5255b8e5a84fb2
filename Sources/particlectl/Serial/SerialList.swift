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
            Terminal.write(JSONOutput.line(devices))
            return
        }
        guard !devices.isEmpty else {
            Terminal.write("No Particle devices found.")
            return
        }
        var table = Table("PORT", "PLATFORM", "MODE", "USB ID", "SERIAL NUMBER")
        for device in devices {
            table.append([
                device.port ?? "-", device.platform, device.mode.rawValue,
                "\(device.vendorID):\(device.productID)", device.serialNumber ?? "-",
            ])
        }
        Terminal.write(table.rendered)
    }
}
