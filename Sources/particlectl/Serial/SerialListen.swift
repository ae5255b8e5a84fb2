import ArgumentParser
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial listen`
struct SerialListen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Put a device into listening mode (the 28800-baud signal) and check that it answers.",
        discussion: """
            Works on Device OS 0.5–5.x. Device OS 6 has no serial trigger and Protected devices never answer: then \
            hold SETUP until the LED blinks dark blue. JSON: {"id":"<24 hex>","listening":true,"port":"/dev/ttyACM0"}.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let port = try connection.resolvePort()
        let identity = try await ListeningModeEntry.enter(port: port, timeout: connection.timeout)
        if output.json {
            Terminal.write(JSONOutput.line(ListenJSON(id: identity.deviceID.rawValue, listening: true, port: port)))
        } else {
            Terminal.write("\(port) is in listening mode (device ID \(identity.deviceID)).")
        }
    }

    struct ListenJSON: Encodable {
        var id: String
        var listening: Bool
        var port: String
    }
}
