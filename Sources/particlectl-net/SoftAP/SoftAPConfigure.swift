import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap configure`
struct SoftAPConfigure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configure",
        abstract: "Store Wi-Fi credentials on the device (the password is RSA-encrypted with the device's key).",
        discussion: """
            Without --security the device scans and the security and channel of the strongest network with that \
            SSID are used. The password comes from --password-stdin or a prompt without echo, never from an \
            argument. Open networks send no password. Does not connect: run `softap connect` next (or use `setup`). \
            JSON: {"channel":6,"configured":true,"sec":4194308,"security":"wpa2_aes","ssid":"HomeNet"}
            """
    )

    @OptionGroup var wifi: SoftAPNetworkOptions
    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var ssid: String
        var security: String
        var sec: Int
        var channel: Int
        var configured = true
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let prepared = try wifi.prepare()
            let client = try connection.makeClient()
            let json = output.json
            let progress: (String) -> Void = { if !json { Terminal.write($0) } }
            let (security, channel, credentials) = try await wifi.resolve(prepared, using: client, progress: progress)
            let key = try await client.publicKey()
            try await client.configure(ssid: wifi.ssid, security: security, channel: channel, credentials: credentials,
                                       publicKey: key)
            let result = Result(ssid: wifi.ssid, security: security.name, sec: security.rawValue, channel: channel)
            Terminal.write(json ? JSONOutput.line(result)
                                : "Wi-Fi credentials for \(UntrustedText.escaped(wifi.ssid)) stored. Run `particlectl softap connect` to join.")
        }
    }
}
