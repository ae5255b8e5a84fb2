import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleProvisioning
import ParticleSerial

/// `particlectl usb serial-listen --port PORT`: the second half of `particlectl serial listen`. The front
/// (which does not link libusb, to stay small and fast) sends the 28800-baud signal itself; when the device does not
/// answer (Device OS 6 has no serial trigger) it hands over here: START_LISTENING over USB to the device behind the
/// port, then `i` on the console until it answers. Output and exit codes are `serial listen`'s; when the USB way
/// fails too, the serial error (what a person can do: hold SETUP).
struct USBSerialListen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial-listen",
        abstract: "Put the device behind a serial port into listening mode over USB, then wait for its console.",
        discussion: """
            The USB half of `serial listen`, which runs it when a device ignores the 28800-baud signal (Device OS 6): \
            START_LISTENING to the USB device libudev pairs with --port (a /dev/serial/by-id symlink is followed), \
            then `i` on the console until it answers. Output as `serial listen`; when it fails, `serial listen`'s \
            error (exit 4). JSON: {"id","listening":true,"port"}.
            """
    )

    @Option(help: ArgumentHelp("The serial port of the device.", valueName: "path"))
    var port: String

    @Option(name: .customLong("timeout"), parsing: .unconditional, help: "Seconds for the request and for the console.",
            transform: Seconds.argument)
    var timeoutSeconds: Seconds = 5

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let port = self.port, timeout = timeoutSeconds.value
        var reply: IdentifyReply?
        try await ListeningModeFallback.enter(
            serial: { throw ListeningModeError(.stillNotListening, port: port, seconds: timeout) },
            usb: { reply = try await ListeningModeFallback.enterOverUSB(port: port, timeout: timeout) })
        guard let reply else { return }
        if output.json {
            Terminal.write(JSONOutput.line(SerialListenJSON(id: reply.deviceID.rawValue, listening: true, port: port)))
        } else {
            Terminal.write("\(port) is in listening mode (device ID \(reply.deviceID)); it was asked over USB.")
        }
    }
}

/// What `serial listen --json` prints: {"id","listening","port"}.
struct SerialListenJSON: Encodable {
    var id: String
    var listening: Bool
    var port: String
}
