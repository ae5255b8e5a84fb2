import ArgumentParser
import Foundation
import ParticleCLISupport
import ParticleCore
import ParticleSimulators

/// `particlectl sim station`: a hub of simulated devices and the fake cloud, to rehearse `particlectl station run`.
struct SimStation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Run a simulated hub for the factory station: N devices on pseudo-terminals and the fake cloud.",
        discussion: """
            Starts N devices in listening mode, each on its own pseudo-terminal with its own device ID, serial number \
            (SIMARGON00001, …) and MAC, and the fake cloud, in one world: a device given a claim code and the right \
            Wi-Fi (network HomeNet, password "correct horse battery") comes online claimed by the claim code's owner. \
            Prints each device's port, ID, serial number and faults, the cloud URL, a simulator token for \
            dev@example.com and the exact `particlectl station run` command to run against them; then what \
            happens, on stderr, until SIGINT/SIGTERM or --duration.

            --fault N=KIND (repeatable; device N counts from 1; several kinds per device allowed) makes device N \
            misbehave: silent (never answers), unplug (its port disappears in the middle of the Wi-Fi dialogue), \
            wrong-wifi (accepts the credentials but never comes online), slow (every answer 0.4 s late, within \
            the usual timeouts). With --replug-after S an unplugged device comes back S seconds later: the same \
            device on a new pty, in listening mode ("sim: serial ID: plugged back in on /dev/pts/N" on stderr).

            --json: one JSON object on the first stdout line once everything is ready: cloud_url, token, username, \
            ssid, password, devices [{port, device_id, serial_number, mac, platform, faults}].
            """
    )

    @Option(help: "How many devices (1–64), each on its own pseudo-terminal.")
    var devices = 8
    @Option(help: "Platform of the devices (photon, p1, argon, p2).")
    var platform = "argon"
    @Option(name: .customLong("fault"), help: ArgumentHelp(
        "Device N misbehaves: N=silent, N=unplug, N=wrong-wifi or N=slow (repeatable).", valueName: "N=KIND"))
    var faults: [String] = []
    @Option(name: .customLong("replug-after"), parsing: .unconditional,
            help: "Plug an unplugged device back in after this many seconds, on a new pty (default: it stays gone).",
            transform: Seconds.argument)
    var replugAfter: Seconds?
    @Option(help: "Port of the fake cloud on 127.0.0.1 (0 = any free port).")
    var cloudPort = 0
    @Option(parsing: .unconditional, help: "Stop after this many seconds, 0.01–86400 (default: run until interrupted).",
            transform: Seconds.argument)
    var duration: Seconds?
    @Flag(help: "Print the world as one JSON object on the first line.")
    var json = false

    func validate() throws {
        guard let platform = SimulatedPlatform.named(platform), platform.hasWiFiConsole else {
            throw ValidationError("--platform must be a Wi-Fi platform: photon, p1, argon or p2")
        }
        guard (1...64).contains(devices) else { throw ValidationError("--devices must be 1 to 64") }
        _ = try faultPlan()
    }

    func faultPlan() throws(StationFaultError) -> [Int: Set<StationFault>] {
        var assignments: [StationFaultAssignment] = []
        for text in faults { assignments.append(try StationFaultAssignment(parsing: text)) }
        return try StationFaultAssignment.plan(assignments, devices: devices)
    }

    func run() async throws {
        var configuration = SimulatedStation.Configuration()
        configuration.cloudPort = cloudPort
        configuration.platform = SimulatedPlatform.named(platform) ?? .argon
        configuration.devices = devices
        configuration.faults = try faultPlan()
        configuration.replugDelay = replugAfter?.value
        let station = SimulatedStation(configuration: configuration, cloudData: try FakeCloudSeed.data())
        let description: SimulatedStation.Description
        do {
            description = try await station.start { line in Terminal.writeError("sim: \(line)") }
        } catch {
            await station.stop()
            throw UserError(.io, "cannot start the simulated station: \(error)")
        }
        Terminal.write(json ? JSONOutput.line(description) : StationBanner(description).text)
        await SimulatorLifetime.waitForEnd(duration: duration)
        await station.stop()
    }
}

/// The human banner of `sim station`: the devices, the cloud, the network, and the command to run.
struct StationBanner {
    let description: SimulatedStation.Description

    init(_ description: SimulatedStation.Description) { self.description = description }

    var text: String {
        var table = Table("#", "PORT", "DEVICE ID", "SERIAL NUMBER", "MAC", "FAULTS")
        for (index, device) in description.devices.enumerated() {
            table.append([String(index + 1), device.port, device.deviceID, device.serialNumber, device.mac,
                          device.faults.isEmpty ? "-" : device.faults.joined(separator: ",")])
        }
        let platform = description.devices.first?.platform ?? "argon"
        let count = description.devices.count
        return """
            Simulated station is up: \(count) \(platform) device\(count == 1 ? "" : "s") in listening mode.
            \(table.rendered.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
              fake cloud:     \(description.cloudURL)   (user \(description.username), simulator token below)
              Wi-Fi network:  \(description.ssid)   (password: \(description.password))
            Run the station against it:
              \(command)

            """
    }

    /// The exact `station run` command line, environment first.
    var command: String {
        let ports = description.devices.map { "--port \(ShellWord.quoted($0.port))" }.joined(separator: " ")
        return "PARTICLE_API_URL=\(ShellWord.quoted(description.cloudURL)) "
            + "PARTICLE_AUTH=\(ShellWord.quoted(description.token)) "
            + "WIFI_PASSWORD=\(ShellWord.quoted(description.password)) "
            + "particlectl station run \(ports) --ssid \(ShellWord.quoted(description.ssid)) "
            + "--password-env WIFI_PASSWORD --count \(description.devices.count)"
    }
}

/// A word for a POSIX shell: as is when it needs no quoting, else in single quotes.
enum ShellWord {
    static func quoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty, word.allSatisfy({ plain.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
