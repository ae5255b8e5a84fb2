import ArgumentParser
import ParticleCLISupport

/// `particlectl usb …`: USB vendor control requests to devices running Device OS (libusb).
struct USBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usb",
        abstract: "Talk to devices over USB control requests: identify, listening mode, DFU, reset, claim, cloud status.",
        discussion: """
            Works with any device running Device OS 0.9+ (Gen 3/4) or 1.1+ (Gen 2), in normal or listening mode, \
            and on Device OS 6 where the serial console cannot enter listening mode. Needs read/write access to \
            /dev/bus/usb (udev-rules/50-particle.rules). Pick a device with --device ID|SERIAL|USB-PATH, or \
            every attached device at once with --all.
            """,
        subcommands: [USBList.self, USBIdentify.self, USBListen.self, USBStopListening.self, USBDFU.self,
                      USBReset.self, USBSafeMode.self, USBClaimed.self, USBClaim.self, USBCloudStatus.self, USBMAC.self, USBInspect.self, USBWiFi.self,
                      USBSerialListen.self]
    )
}
