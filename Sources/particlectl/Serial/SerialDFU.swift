import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial dfu`
struct SerialDFU: ParsableCommand {
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

    func run() throws {
        let port = try connection.resolvePort()
        // Who is on that port, so the DFU device that appears can be matched to it.
        let known = (try? DeviceDiscovery.list())?.first { $0.port == port }
        // Start watching before the reset so the event cannot be missed.
        let watcher = noWait ? nil : try DeviceWatcher()
        try ListeningModeClient.signal(.dfu, path: port)
        guard let watcher else {
            report(DFUJSON(confirmed: false, port: port, serialNumber: known?.serialNumber))
            return
        }
        let deadline = MonotonicDeadline(seconds: connection.timeout)
        while !deadline.hasPassed {
            guard let event = try watcher.next(timeoutMilliseconds: deadline.remainingMilliseconds) else { break }
            guard event.kind == .add, event.device.mode == .dfu else { continue }
            if let serial = known?.serialNumber, event.device.serialNumber != serial { continue }
            report(DFUJSON(confirmed: true, port: port, serialNumber: event.device.serialNumber))
            return
        }
        throw ListeningModeError(.noDFUDevice, port: port, seconds: connection.timeout)
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
