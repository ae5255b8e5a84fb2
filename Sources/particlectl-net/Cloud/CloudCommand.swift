import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud …`.
struct CloudCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud",
        abstract: "Call the Particle Cloud API: devices, variables, functions, events, claiming, products.",
        discussion: """
            Point it at a private cloud or the local fake with --api-url or PARTICLE_API_URL. Devices are given by \
            24-hex ID or by name. Errors: 401/invalid token → exit 5, not found → 3, device timed out → 4, other \
            cloud errors → 1, cloud unreachable → 6.
            """,
        subcommands: [
            CloudDevices.self, CloudDevice.self, CloudRename.self, CloudNotes.self, CloudPing.self, CloudGet.self,
            CloudCall.self, CloudPublish.self, CloudSubscribe.self, CloudClaimCode.self, CloudClaim.self,
            CloudUnclaim.self, CloudImport.self, CloudProducts.self, CloudProduct.self, CloudOrgs.self,
        ]
    )
}

/// `--product P` for the verbs with a product variant.
struct ProductOption: ParsableArguments {
    @Option(name: .long, help: "Use the product's API (product ID or slug) instead of your own devices.")
    var product: String?
}

/// Parses a device argument, as a usage error when malformed.
func deviceReference(_ text: String) throws -> DeviceReference {
    try DeviceReference(text)
}
