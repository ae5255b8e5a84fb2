import ArgumentParser
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial listen`
struct SerialListen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Put a device into listening mode (the 28800-baud signal, else USB) and check that it answers.",
        discussion: """
            The 28800-baud signal works on Device OS 0.5–5.x. When the device does not answer within --timeout \
            (Device OS 6 has no serial trigger), particlectl asks it over USB (START_LISTENING, through \
            particlectl-net and libusb; needs udev-rules/50-particle.rules), then checks the console again. A \
            Protected device refuses both: hold SETUP until the LED blinks dark blue. \
            JSON: {"id":"<24 hex>","listening":true,"port":"/dev/ttyACM0"}.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let port = try connection.resolvePort()
        let identity: IdentifyReply
        do {
            identity = try await ListeningModeEntry.enter(port: port, timeout: connection.timeout)
        } catch let error as ListeningModeError where error.kind == .stillNotListening {
            try Self.askOverUSB(port: port, timeout: connection.timeout, json: output.json, serialError: error)
        }
        if output.json {
            Terminal.write(JSONOutput.line(ListenJSON(id: identity.deviceID.rawValue, listening: true, port: port)))
        } else {
            Terminal.write("\(port) is in listening mode (device ID \(identity.deviceID)).")
        }
    }

    /// The device ignored the serial signal: `particlectl-net usb serial-listen` (libusb lives there, not in this
    /// front) asks it over USB and prints this command's output. Without particlectl-net, the serial error.
    static func askOverUSB(port: String, timeout: Double, json: Bool, serialError: ListeningModeError) throws -> Never {
        var arguments = ["usb", "serial-listen", "--port", port, "--timeout", String(timeout)]
        if json { arguments.append("--json") }
        do {
            try SiblingExecutable.exec("particlectl-net", arguments)
        } catch {
            throw serialError
        }
    }

    struct ListenJSON: Encodable {
        var id: String
        var listening: Bool
        var port: String
    }
}
