import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleCLISupport

/// `particlectl serial watch`
struct SerialWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a line each time a Particle device is plugged in or unplugged, until interrupted.",
        discussion: """
            With --json, one JSON object per line: the keys of `serial list --json` plus "event". With --existing, \
            the devices already attached come first, as "add" events (the monitor is listening before they are \
            listed, so a device plugged in meanwhile is never missed; it may appear twice). Exit 0 when interrupted, \
            at --timeout, or after --count events; exit 4 when --timeout passes before --count events arrived.
            """
    )

    @OptionGroup var output: OutputOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many seconds, 0.01–86400 (default: run until interrupted).", valueName: "seconds"),
            transform: Seconds.argument)
    var timeout: Seconds?

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Flag(help: "First report the devices already attached, as add events.")
    var existing = false

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        let watcher = try DeviceWatcher()
        // Listed after the monitor listens (nothing falls between the two) and before the ready line below.
        let attached = existing ? try DeviceDiscovery.list() : []
        // Said on stderr in every mode: scripts wait for this line to know the monitor is listening.
        Terminal.writeError("Watching for Particle devices (Ctrl-C to stop)…")
        let deadline = timeout.map { MonotonicDeadline($0) }
        var seen = 0
        if existing {
            for device in attached {
                report(DeviceEvent(kind: .add, device: device))
                seen += 1
                if let count, seen >= count { return }
            }
        }
        while true {
            var wait: Int32 = -1
            if let deadline {
                wait = deadline.remainingMilliseconds
                if wait == 0 { return try timedOut(seen: seen) }
            }
            guard let event = try watcher.next(timeoutMilliseconds: wait) else { continue }
            report(event)
            seen += 1
            if let count, seen >= count { return }
        }
    }

    private func report(_ event: DeviceEvent) {
        if output.json {
            Terminal.write(JSONOutput.line(event))
        } else {
            let device = event.device
            let sign = event.kind == .add ? "+" : "-"
            Terminal.write("\(sign) \(event.kind.rawValue)  \(device.port ?? "(dfu)")  \(device.platform?.name ?? "unknown")  \((device.usb?.mode ?? .normal).rawValue)  \(device.usb?.serialNumber ?? "-")")
        }
    }

    /// At --timeout: fine without --count; with it, the events a script waited for did not all come (exit 4).
    private func timedOut(seen: Int) throws {
        guard let count, let timeout else { return }
        throw UserError(.timedOut, "saw \(seen) of \(count) device events within \(timeout)s — plug the devices in (or raise --timeout)")
    }
}
