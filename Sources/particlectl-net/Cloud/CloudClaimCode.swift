import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud claim-code`.
struct CloudClaimCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim-code",
        abstract: "Create a claim code to hand to a device during setup (it claims the device when it comes online).",
        discussion: "With --product, use a customer token (token customer). JSON: {\"claim_code\", \"device_ids\"} (device_ids = devices you already own)."
    )

    @Option(name: .long, help: "SIM ICCID of a cellular device.")
    var iccid: String?
    @Option(name: .long, help: "IMEI of a cellular device.")
    var imei: String?
    @OptionGroup var product: ProductOption
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var claim_code: String
        var device_ids: [String]
    }

    func run() async throws {
        let code = try await CloudSession(cloud).run { client in
            try await client.devices(product: product.product).claimCode(iccid: iccid, imei: imei)
        }
        if output.json { printJSON(Result(claim_code: code.claimCode, device_ids: code.deviceIDs ?? [])) } else {
            Terminal.write(code.claimCode)
        }
    }
}
