import ArgumentParser
import ParticleCore
import ParticleUSB

/// `particlectl usb wifi …`: Wi-Fi networks of Gen 3/4 Wi-Fi devices (Argon, P2/Photon 2, M-SoM) over USB.
struct USBWiFi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wifi",
        abstract: "Scan, list, add, join and remove Wi-Fi networks over USB (Argon, P2/Photon 2, M-SoM).",
        subcommands: [USBWiFiScan.self, USBWiFiList.self, USBWiFiCurrent.self, USBWiFiAdd.self, USBWiFiJoin.self,
                      USBWiFiRemove.self, USBWiFiClear.self]
    )
}

/// The `--json` shape of a network.
func wifiNetworkFields(_ network: ParticleUSB.USBWiFiNetwork) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = []
    if let bssid = network.bssid { members.append((key: "bssid", value: .string(bssid))) }
    if let channel = network.channel { members.append((key: "channel", value: .int(Int(channel)))) }
    if let rssi = network.rssi { members.append((key: "rssi", value: .int(Int(rssi)))) }
    if let security = network.security { members.append((key: "security", value: .string(security))) }
    members.append((key: "ssid", value: .string(network.ssid)))
    return .object(members)
}
