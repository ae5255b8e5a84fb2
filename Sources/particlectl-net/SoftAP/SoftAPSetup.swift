import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap setup`
struct SoftAPSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "The whole SoftAP setup: device ID, public key, claim code, Wi-Fi credentials, connect.",
        discussion: """
            One line of progress per step; the last line is the device ID. Then rejoin your own Wi-Fi: the device \
            joins the configured network and the cloud (where a claim code makes it yours). \
            JSON (one object at the end): \
            {"channel":6,"claim_code_set":true,"claimed":false,"connect":"acknowledged","id":"…","security":"wpa2_aes","ssid":"HomeNet"}
            """
    )

    @OptionGroup var wifi: SoftAPNetworkOptions

    @Option(help: ArgumentHelp("A claim code from the cloud, so the device becomes yours when it connects.", valueName: "code"))
    var claimCode: String?

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var id: String
        var claimed: Bool
        var claim_code_set: Bool
        var ssid: String
        var security: String
        var channel: Int
        var connect: String
    }

    func validate() throws {
        if let claimCode {
            do {
                try SoftAPInputRules.checkClaimCode(claimCode)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let prepared = try wifi.prepare()
            let client = try connection.makeClient()
            let json = output.json
            let ssid = UntrustedText.escaped(wifi.ssid)
            let wifi = self.wifi
            let setup = SoftAPDeviceSetup(
                client: client,
                network: SoftAPDeviceSetup.Network(ssid: wifi.ssid, security: prepared.network?.security,
                                                   channel: prepared.network?.channel ?? 0),
                claimCode: claimCode) { security in
                    try prepared.credentials ?? wifi.credentials(for: security, password: prepared.password)
                }
            let outcome = try await setup.run { event in
                guard !json else { return }
                switch event {
                case .deviceFound(let device):
                    Terminal.write("Device \(device.id) (\(device.claimed ? "claimed" : "not claimed"))")
                case .publicKey(let key):
                    Terminal.write("Public key: RSA \(key.keySizeInBits)-bit, SHA-256 \(key.fingerprint.prefix(16))…")
                case .scanning:
                    Terminal.write("Scanning for \(ssid)…")
                case .networkFound(let match):
                    Terminal.write("Found \(ssid): \(match.security.name), channel \(match.channel), \(match.rssi) dBm")
                case .claimCodeSet:
                    Terminal.write("Claim code set")
                case .credentialsStored(let security, let channel):
                    Terminal.write("Wi-Fi credentials for \(ssid) stored (\(security.name), channel \(channel))")
                case .connectSent(let outcome):
                    Terminal.write(outcome == .acknowledged
                        ? "Connect acknowledged: the device is joining \(ssid)"
                        : "Connect sent: the device dropped its access point to join \(ssid)")
                }
            }
            if json {
                Terminal.write(JSONOutput.line(Result(
                    id: outcome.device.id.rawValue, claimed: outcome.device.claimed, claim_code_set: outcome.claimCodeSet,
                    ssid: wifi.ssid, security: outcome.security.name, channel: outcome.channel,
                    connect: outcome.connect.rawValue)))
            } else {
                Terminal.write(outcome.device.id.rawValue)
            }
        }
    }
}
