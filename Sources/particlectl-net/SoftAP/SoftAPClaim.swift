import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl softap claim`
struct SoftAPClaim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Give the device a claim code; it hands it to the cloud when it first connects.",
        discussion: """
            Get a code with `POST /v1/device_claims` (the cloud commands do). At most 63 characters; sent as is \
            (a / stays a /). JSON: {"claim_code_set":true}
            """
    )

    @Option(help: ArgumentHelp("The claim code.", valueName: "code"))
    var code: String

    @OptionGroup var connection: SoftAPConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        do {
            try SoftAPInputRules.checkClaimCode(code)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        try await SoftAPRemedies.reporting {
            try await connection.makeClient().setClaimCode(code)
            Terminal.write(output.json ? JSONOutput.line(["claim_code_set": true]) : "Claim code set.")
        }
    }
}
