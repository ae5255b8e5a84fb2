import ArgumentParser
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial claim --code CODE`
struct SerialClaim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Write a claim code (from the Cloud API) to a device in listening mode.",
        discussion: """
            The code must be 63 characters; it is checked before anything is sent, and the device must confirm it \
            with "Claim code set to:". JSON: {"claim_code_set":true,"port":"/dev/ttyACM0"}.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The 63-character claim code.", valueName: "code"))
    var code: String

    func run() throws {
        // Checked before the port is even opened: one line, exit 2.
        if let problem = ClaimCodeDialogue.problem(with: code) { throw UserError(.usage, problem) }
        let client = try connection.openClient()
        defer { client.close() }
        try client.setClaimCode(code)
        if output.json {
            Terminal.write(JSONOutput.line(ClaimJSON(claimCodeSet: true, port: client.path)))
        } else {
            Terminal.write("Claim code set on \(client.path).")
        }
    }

    struct ClaimJSON: Encodable {
        var claimCodeSet: Bool
        var port: String
        enum CodingKeys: String, CodingKey {
            case port
            case claimCodeSet = "claim_code_set"
        }
    }
}
