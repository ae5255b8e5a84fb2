import ArgumentParser
import Foundation
import Glibc
import ParticleCore
import ParticleCLISupport
import ParticleSerial
import ParticleSimulators

/// `particlectl sim device`: a Particle device in listening mode on a pseudo-terminal.
struct SimDevice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Run a simulated Particle device on a pseudo-terminal, speaking the listening-mode serial protocol.",
        discussion: """
            The first line on stdout is `port: /dev/pts/N` (with --json: {"id":…,"platform":…,"port":…}); point \
            particlectl at it with --port. Then one line per event (claim code set, Wi-Fi saved — never the password \
            —, left listening mode, DFU, hang-up). Runs until SIGINT/SIGTERM, or until the device resets into DFU \
            mode or hangs up. Faults: \(SimulatedFault.allCases.map(\.rawValue).joined(separator: ", ")).

            A Device OS 6 device (--os-version 6.x) ignores the 28800-baud signal; started with --fault app-running             it runs its application until its USB side asks it into listening mode: --control PATH names a named             pipe (created when missing) where `listen` / `stop-listening` lines — written by             scripts/test/umockdev-usb.py's `control=PATH` on START_LISTENING / STOP_LISTENING — switch it.             --cloud URL makes it come online in a fake cloud (`particlectl sim cloud`) with its claim code once it             left listening mode with Wi-Fi credentials saved.
            """
    )

    @Option(help: ArgumentHelp("photon, p1, electron, argon, boron or p2.", valueName: "name"))
    var platform = "photon"

    @Option(help: ArgumentHelp("Device ID, 24 hex digits.", valueName: "hex"))
    var id = "0123456789abcdef01234567"

    @Option(help: ArgumentHelp("MAC address.", valueName: "aa:bb:cc:dd:ee:ff"))
    var mac = "6c:0b:84:12:34:56"

    @Option(help: ArgumentHelp("Device OS version (6.x ignores the 28800-baud listen signal).", valueName: "version"))
    var osVersion: String?

    @Option(help: ArgumentHelp("Serial number printed by `i` (switches to the `Device ID:` form).", valueName: "text"))
    var serialNumber: String?

    @Option(name: .customLong("ssid-visible"), help: ArgumentHelp("A network the device finds in its scan (repeatable).", valueName: "NAME:SEC:CIPHER"))
    var visible: [String] = []

    @Option(help: ArgumentHelp("A fault to inject (repeatable).", valueName: "fault"))
    var fault: [String] = []

    @Flag(help: "The device is already claimed (`c` answers yes).")
    var claimed = false

    @Option(help: ArgumentHelp("How long the Wi-Fi scan after SSID: takes.", valueName: "ms"))
    var scanMs = 50

    @Flag(help: "Print machine-readable JSON lines.")
    var json = false

    @Option(help: ArgumentHelp("A named pipe on which `listen` / `stop-listening` lines switch listening mode (its USB side).", valueName: "path"))
    var control: String?

    @Option(help: ArgumentHelp("A fake cloud to come online in once given a claim code and Wi-Fi credentials.", valueName: "url"))
    var cloud: String?

    func validate() throws {
        guard SimulatedPlatform.named(platform) != nil else {
            throw ValidationError("unknown --platform \(platform); use one of \(SimulatedPlatform.all.map(\.name).joined(separator: ", "))")
        }
        guard DeviceID.isValid(id) else { throw ValidationError("--id must be 24 hex digits") }
        for item in visible where VisibleNetwork(argument: item) == nil {
            throw ValidationError("--ssid-visible \(item): expected NAME:SECURITY:CIPHER, e.g. Bench:wpa2:aes")
        }
        for item in fault where SimulatedFault(rawValue: item) == nil {
            throw ValidationError("unknown --fault \(item); use one of \(SimulatedFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard scanMs >= 0 else { throw ValidationError("--scan-ms must not be negative") }
    }

    func run() async throws {
        let configuration = SimulatedDeviceConfiguration(
            platform: SimulatedPlatform.named(platform) ?? .photon, deviceID: id, mac: mac, osVersion: osVersion,
            serialNumber: serialNumber, claimed: claimed, visibleNetworks: visible.compactMap(VisibleNetwork.init(argument:)),
            faults: Set(fault.compactMap(SimulatedFault.init(rawValue:))), scanMilliseconds: scanMs, controlPipe: control)
        let signals = StopSignals()
        let device: SimulatedDevice
        do {
            device = try SimulatedDevice(configuration)
        } catch let error as ControlPipeError {
            throw UserError(.io, "\(error); give --control a path in a writable folder")
        } catch {
            throw UserError(.io, "cannot create a pseudo-terminal (\(error)) — is /dev/pts mounted?")
        }
        let json = json
        Self.emit(json
            ? JSONOutput.line(["port": device.portPath, "platform": configuration.platform.name, "id": configuration.deviceID])
            : "port: \(device.portPath)")
        let link = cloud.map { FakeCloudLink(baseURL: $0) }
        let printer = Task {
            var online = OnlineReport(deviceID: configuration.deviceID, platformID: configuration.platform.id)
            for await event in device.events {
                Self.emit(Self.describe(event, json: json))
                if let link, let report = online.after(event) {
                    await report(link)
                }
            }
        }
        while device.isRunning && !signals.received {
            try? await Task.sleep(for: .milliseconds(20))
        }
        device.stop()
        await printer.value
    }

    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// One line per event. Never the Wi-Fi password or key.
    static func describe(_ event: SimulatedDeviceEvent, json: Bool) -> String {
        var fields: [String: String]
        switch event {
        case .enteredListeningMode: fields = ["event": "listening"]
        case .leftListeningMode: fields = ["event": "left-listening-mode"]
        case .claimCodeSet(let code): fields = ["event": "claim-code-set", "claim_code": code]
        case .wifiCredentialsSaved(let credentials):
            // The password's length (never the password): lets a test see that it arrived exactly, spaces and all.
            fields = ["event": "wifi-saved", "ssid": credentials.ssid, "security": credentials.security?.rawValue ?? "unknown",
                      "password_length": String(credentials.password?.utf8.count ?? 0)]
        case .wifiCredentialsRefused(let ssid): fields = ["event": "wifi-refused", "ssid": ssid]
        case .enteredDFU: fields = ["event": "dfu"]
        case .hungUp: fields = ["event": "hung-up"]
        }
        if json { return JSONOutput.line(fields) }
        let name = fields.removeValue(forKey: "event") ?? ""
        return (["event: \(name)"] + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
    }
}

/// When a lone simulated device "comes online" in a fake cloud: once it left listening mode with Wi-Fi credentials
/// saved (whatever they are), with the claim code it was given. Pure bookkeeping; the report is made by the caller.
struct OnlineReport {
    let deviceID: String
    let platformID: Int
    private var claimCode: String?
    private var hasWiFi = false

    init(deviceID: String, platformID: Int) {
        self.deviceID = deviceID
        self.platformID = platformID
    }

    /// The report to make after `event`, if it is time for one.
    mutating func after(_ event: SimulatedDeviceEvent) -> (@Sendable (FakeCloudLink) async -> Void)? {
        switch event {
        case .claimCodeSet(let code): claimCode = code
        case .wifiCredentialsSaved: hasWiFi = true
        case .leftListeningMode where hasWiFi:
            let (id, platform, code) = (deviceID, platformID, claimCode)
            return { link in
                try? await Task.sleep(for: .milliseconds(300)) // joining the network
                do {
                    try await link.reportOnline(deviceID: id, platformID: platform, claimCode: code)
                } catch {
                    FileHandle.standardError.write(Data("particlectl sim device: \(error)\n".utf8))
                }
            }
        default: break
        }
        return nil
    }
}
