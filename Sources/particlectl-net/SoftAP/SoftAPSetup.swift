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

    @OptionGroup var wifi: WiFiOptions

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
        let prepared = try wifi.prepare()
        let client = try connection.makeClient()
        let json = output.json
        let progress: (String) -> Void = { if !json { Terminal.write($0) } }
        let ssid = UntrustedText.escaped(wifi.ssid)

        let device = try await client.deviceInfo()
        progress("Device \(device.id) (\(device.claimed ? "claimed" : "not claimed"))")
        let key = try await client.publicKey()
        progress("Public key: RSA \(key.keySizeInBits)-bit, SHA-256 \(key.fingerprint.prefix(16))…")
        // Everything is known and checked (the scan included) before the first write to the device.
        let (security, channel, credentials) = try await wifi.resolve(prepared, using: client, progress: progress)
        if let claimCode {
            try await client.setClaimCode(claimCode)
            progress("Claim code set")
        }
        try await client.configure(ssid: wifi.ssid, security: security, channel: channel, credentials: credentials,
                                   publicKey: key)
        progress("Wi-Fi credentials for \(ssid) stored (\(security.name), channel \(channel))")
        let outcome = try await client.connect()
        progress(outcome == .acknowledged
            ? "Connect acknowledged: the device is joining \(ssid)"
            : "Connect sent: the device dropped its access point to join \(ssid)")
        if json {
            Terminal.write(JSONOutput.line(Result(
                id: device.id, claimed: device.claimed, claim_code_set: claimCode != nil, ssid: wifi.ssid,
                security: security.name, channel: channel, connect: outcome.rawValue)))
        } else {
            Terminal.write(device.id)
        }
    }
}
