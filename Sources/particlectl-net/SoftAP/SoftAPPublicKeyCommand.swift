import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap public-key`
struct SoftAPPublicKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key",
        abstract: "Show the device's RSA public key (the one that protects the Wi-Fi password): size and fingerprint.",
        discussion: "JSON: {\"bits\":1024,\"fingerprint\":\"<SHA-256 of the DER key, hex>\",\"pem\":\"…\"}"
    )

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    struct KeyInfo: Encodable {
        var bits: Int
        var fingerprint: String
        var pem: String
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            let key = try await connection.makeClient().publicKey()
            let info = KeyInfo(bits: key.keySizeInBits, fingerprint: key.fingerprint, pem: key.pemRepresentation)
            if output.json {
                Terminal.write(JSONOutput.line(info))
            } else {
                Terminal.write("RSA \(info.bits)-bit public key\nSHA-256 fingerprint: \(info.fingerprint)\n\(info.pem)")
            }
        }
    }
}
