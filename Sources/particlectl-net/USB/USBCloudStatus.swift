import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb cloud-status [--until connected --timeout S]`
struct USBCloudStatus: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-status",
        abstract: "Show the device's cloud connection (CLOUD_GET_CONNECTION_STATUS), or wait until it is connected.",
        discussion: """
            With --until connected the device is asked every 500 ms until it says so, for at most --timeout \
            seconds in all (then exit 4). JSON: {"usb_path","device_id","platform","cloud":"disconnected|connecting|\
            connected|disconnecting"}.
            """
    )

    enum Goal: String, ExpressibleByArgument, CaseIterable {
        case connected, disconnected
    }

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Wait until the device reports this state.")
    var until: Goal?

    static let pollMilliseconds: Int64 = 500

    func run() async throws {
        let goal = until
        let deadline = target.timeoutMilliseconds
        let limit = target.timeout
        try await USBFanOut.run(target, json: output.json) { client in
            let start = MonotonicDeadline.now()
            while true {
                let status = try await client.cloudStatus()
                let reached = goal.map { $0.rawValue == status.rawValue } ?? true
                if reached {
                    return USBOutcome(fields: ["cloud": .string(status.rawValue)], text: "Cloud: \(status.rawValue)")
                }
                if MonotonicDeadline.now() - start + Self.pollMilliseconds > deadline {
                    throw UserError(.timedOut, "the device at \(client.channel.label) is still \(status.rawValue) "
                        + "after \(limit) s; check its Wi-Fi or cellular connection")
                }
                try await Task.sleep(for: .milliseconds(Self.pollMilliseconds))
            }
        }
    }
}
