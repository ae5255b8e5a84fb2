import ArgumentParser
import ParticleCLISupport

/// `particlectl softap …`: Photon/P1 setup over the device's own Wi-Fi access point.
struct SoftAP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "softap",
        abstract: "Set up a Photon/P1 over its SoftAP (join its Photon-XXXXXX Wi-Fi first).",
        discussion: """
            Put the device in listening mode (blinking blue), join its open Photon-XXXXXX network, then run \
            `particlectl softap setup --ssid YourWiFi --password-stdin`. The device answers at 192.168.0.1 on raw \
            TCP port 5609 (default) or HTTP port 80 (--protocol http). Try it without hardware against \
            `particlectl sim softap`.
            """,
        subcommands: [SoftAPInfo.self, SoftAPPublicKeyCommand.self, SoftAPScan.self, SoftAPConfigure.self,
                      SoftAPClaim.self, SoftAPConnect.self, SoftAPSetup.self]
    )
}
