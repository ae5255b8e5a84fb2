import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleHardware

/// Which attached devices a `usb` command talks to, and how long each request may take.
struct USBTargetOptions: ParsableArguments {
    @Option(help: "The device: its device ID (serial number), its USB path (1-1.3) or its tty (/dev/ttyACM0).")
    var device: String?

    @Flag(help: "Every attached Particle device that runs Device OS, concurrently.")
    var all = false

    @Option(parsing: .unconditional, help: "Seconds each control request may take.", transform: Seconds.argument)
    var timeout: Seconds = 10

    func validate() throws {
        if all && device != nil { throw ValidationError("--all and --device cannot be combined") }
    }

    var timeoutMilliseconds: Int64 { Int64((timeout.value * 1000).rounded()) }

    /// The devices to talk to: the one named by --device, every one with --all, else the only one attached.
    /// Devices in DFU mode serve no control requests and are left out (named when one is chosen explicitly).
    func targets(among attached: [DeviceIdentity]) throws -> [DeviceIdentity] {
        let usable = attached.filter { $0.usb?.mode == .normal && $0.usb?.path != nil }
        if let device {
            let key = device.lowercased()
            let matches = attached.filter {
                $0.usb?.serialNumber?.lowercased() == key || $0.usb?.path == device || $0.port == device
            }
            guard let match = matches.first else {
                throw UserError(.notFound, "No Particle device \(device) is attached (see `particlectl usb list`)")
            }
            guard matches.count == 1 else {
                throw UserError(.notFound, "Several devices match \(device); choose one by its USB path")
            }
            guard match.usb?.mode == .normal, match.usb?.path != nil else {
                throw UserError(.notFound, "The device \(device) is in DFU mode, which serves no control requests; reset it first")
            }
            return [match]
        }
        if all { return usable }
        switch usable.count {
        case 0: throw UserError(.notFound, PortSelection.noDeviceMessage)
        case 1: return usable
        default:
            let paths = usable.compactMap { $0.usb?.path }.joined(separator: ", ")
            throw UserError(.notFound, "Several Particle devices found (\(paths)); choose one with --device or use --all")
        }
    }
}

/// A `usb` command with `--json`: a failure prints one JSON object (`JSONFailure`) for a single device; with --all
/// the array already carries each device's error, so nothing more is printed.
protocol USBJSONCommand: JSONFailureReporting {
    var target: USBTargetOptions { get }
    var output: OutputOptions { get }
}

extension USBJSONCommand {
    var isJSONRequested: Bool { output.json && !target.all }
}
