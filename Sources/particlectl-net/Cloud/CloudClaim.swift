import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud claim`.
struct CloudClaim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim a device to your account by its ID.",
        discussion: "A device owned by someone else fails with exit 1. JSON: {\"ok\": true, \"id\"}."
    )

    @Argument(help: "Device ID (24 hex).")
    var device: String

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard DeviceReference.isDeviceID(device) else { throw ValidationError("claiming needs the 24-hex device ID, not a name") }
    }

    struct Result: Encodable {
        var ok: Bool
        var id: String
    }

    func run() async throws {
        let id = device.lowercased()
        try await CloudSession(cloud).run { client in try await client.devices().claim(id) }
        if output.json { printJSON(Result(ok: true, id: id)) } else { Terminal.write("Claimed \(id).") }
    }
}
