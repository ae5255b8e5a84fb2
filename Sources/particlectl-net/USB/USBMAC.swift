import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb mac`
struct USBMAC: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "mac",
        abstract: "Print the MAC address of the device's Wi-Fi (else Ethernet) interface (requests 400/401).",
        discussion: """
            JSON: {"usb_path","device_id","platform","mac":"aa:bb:cc:dd:ee:ff","interface":"wl4"}. A device with \
            neither interface (a cellular device without Ethernet) exits 3. Gen 3/4 devices only.
            """
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            guard let interface = try await client.macAddress(), let mac = interface.macAddress else {
                throw UserError(.notFound, "the device at \(client.channel.label) has no Wi-Fi or Ethernet interface "
                    + "with a MAC address")
            }
            return USBOutcome(fields: ["mac": .string(mac), "interface": .string(interface.name)],
                              text: "MAC address: \(mac) (\(interface.name))")
        }
    }
}
