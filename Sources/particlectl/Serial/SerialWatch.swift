import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleCLISupport

/// `particlectl serial watch`
struct SerialWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a line each time a Particle device is plugged in or unplugged, until interrupted.",
        discussion: "With --json, one JSON object per line: the keys of `serial list --json` plus \"event\"."
    )

    @OptionGroup var output: OutputOptions

    @Option(help: "Stop after this many seconds (default: run until interrupted).")
    var timeout: Double?

    @Option(help: "Stop after this many events.")
    var count: Int?

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        let watcher = try DeviceWatcher()
        // Said on stderr in every mode: scripts wait for this line to know the monitor is listening.
        Terminal.writeError("Watching for Particle devices (Ctrl-C to stop)…")
        let deadline = timeout.map { MonotonicDeadline(seconds: $0) }
        var seen = 0
        while true {
            var wait: Int32 = -1
            if let deadline {
                wait = deadline.remainingMilliseconds
                if wait == 0 { return }
            }
            guard let event = try watcher.next(timeoutMilliseconds: wait) else { continue }
            if output.json {
                Terminal.write(JSONOutput.line(event))
            } else {
                let device = event.device
                let sign = event.kind == .add ? "+" : "-"
                Terminal.write("\(sign) \(event.kind.rawValue)  \(device.port ?? "(dfu)")  \(device.platform)  \(device.mode.rawValue)  \(device.serialNumber ?? "-")")
            }
            seen += 1
            if let count, seen >= count { return }
        }
    }
}
