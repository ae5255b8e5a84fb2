import ArgumentParser
import Glibc
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial listen`
struct SerialListen: ParsableCommand {
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

    func run() throws {
        let port = try connection.resolvePort()
        try ListeningModeClient.signal(.listen, path: port)
        let deadline = MonotonicDeadline(seconds: connection.timeout)
        // The device may re-enumerate while it switches: keep probing with short waits until the deadline.
        while true {
            let probe = min(1.0, max(0.2, Double(deadline.remainingMilliseconds) / 1000))
            do {
                let client = try ListeningModeClient(path: port, timeout: probe)
                defer { client.close() }
                let identity = try client.identify()
                if output.json {
                    Terminal.write(JSONOutput.line(ListenJSON(id: identity.deviceID, listening: true, port: port)))
                } else {
                    Terminal.write("\(port) is in listening mode (device ID \(identity.deviceID)).")
                }
                return
            } catch let error as ListeningModeError where [.silent, .notConsoleOutput].contains(error.kind) {
                // not yet
            } catch let error as SerialPortError where [.notFound, .disappeared].contains(error.kind) {
                usleep(100_000)
            }
            if deadline.hasPassed {
                throw ListeningModeError(.stillNotListening, port: port, seconds: connection.timeout)
            }
        }
    }

    struct ListenJSON: Encodable {
        var id: String
        var listening: Bool
        var port: String
    }
}
