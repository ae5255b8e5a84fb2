import ArgumentParser
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial close-dialogue`
struct SerialCloseDialogue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close-dialogue",
        abstract: "End a Wi-Fi or claim-code dialogue that was left unfinished, without saving anything.",
        discussion: """
            A device left at a prompt (`SSID:`, `Password:` …) echoes every command instead of answering it; \
            `serial identify` then says so. This erases what may have been typed at that prompt and answers the \
            remaining prompts so that the device refuses to save (README "Closing an unfinished dialogue"). On a \
            device that waits at no prompt it changes nothing. JSON: {"closed":true,"port":"/dev/ttyACM0"}; \
            exit 1 if the device saved credentials after all.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let client = try connection.openClient()
        defer { client.close() }
        let outcome = try client.closeAbandonedDialogue()
        guard outcome == .closed else {
            throw UserError(.remoteError, "the device on \(client.path) saved credentials while its dialogue was being closed — check them with `particlectl serial wifi`")
        }
        Terminal.write(output.json ? JSONOutput.line(CloseJSON(closed: true, port: client.path))
                                   : "No dialogue is open on \(client.path) any more; the device is at its idle console.")
    }

    struct CloseJSON: Encodable {
        var closed: Bool
        var port: String
    }
}
