import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial dfu`
struct SerialDFU: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dfu",
        abstract: "Reset a device into DFU mode (the 14400-baud signal) and wait until it re-appears in DFU mode.",
        discussion: """
            Works on every Device OS. The wait uses the USB hot-plug monitor: the device must come back with its DFU \
            product id (then `serial list` shows mode dfu). --no-wait only sends the signal. JSON: \
            {"confirmed":true,"port":"/dev/ttyACM0","serial_number":"…"} (confirmed false with --no-wait).
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Send the signal and return without waiting for the device to re-appear.")
    var noWait = false

    func run() async throws {
        let port = try connection.resolvePort()
        let outcome = try await DFUReset.reset(port: port, confirm: !noWait, timeout: connection.timeout)
        report(DFUJSON(confirmed: outcome.confirmed, port: outcome.port, serialNumber: outcome.serialNumber))
    }

    private func report(_ result: DFUJSON) {
        if output.json {
            Terminal.write(JSONOutput.line(result))
        } else if result.confirmed {
            Terminal.write("The device from \(result.port) is in DFU mode (serial number \(result.serialNumber ?? "unknown")).")
        } else {
            Terminal.write("Sent the DFU signal to \(result.port).")
        }
    }

    struct DFUJSON: Encodable {
        var confirmed: Bool
        var port: String
        var serialNumber: String?
        enum CodingKeys: String, CodingKey {
            case confirmed, port
            case serialNumber = "serial_number"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(confirmed, forKey: .confirmed)
            try container.encode(port, forKey: .port)
            try container.encode(serialNumber, forKey: .serialNumber)
        }
    }
}
