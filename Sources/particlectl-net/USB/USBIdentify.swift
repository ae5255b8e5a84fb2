import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleUSB

/// `particlectl usb identify`
struct USBIdentify: AsyncParsableCommand, USBJSONCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Print the device ID, Device OS version and mode (and ICCID/IMEI on cellular devices) over USB.",
        discussion: """
            JSON: {"usb_path","device_id","platform","system_version","mode"} plus "iccid" and "imei" when the \
            device reports them. With --all, an array of such objects ("error" and "exit_code" for a device that \
            failed; the exit code is the last failure's).
            """
    )

    @OptionGroup var target: USBTargetOptions
    @OptionGroup var output: OutputOptions

    static let cellularPlatforms: Set<String> = ["electron", "boron", "bsom", "b5som", "esomx", "tracker", "trackerm",
                                                 "msom", "electron2"]

    func run() async throws {
        try await USBFanOut.run(target, json: output.json) { client in
            let cellular = Self.cellularPlatforms.contains(client.channel.device.platform?.name ?? "")
            let identity = try await client.identify(cellular: cellular)
            var fields: [String: JSONValue] = [
                "device_id": .string(identity.deviceID),
                "system_version": identity.systemVersion.map(JSONValue.string) ?? .null,
                "mode": identity.mode.map { .string($0.rawValue) } ?? .null,
            ]
            var lines = ["Device ID: \(identity.deviceID)"]
            if let version = identity.systemVersion { lines.append("Device OS: \(version)") }
            if let mode = identity.mode { lines.append("Mode: \(mode.rawValue)") }
            if let iccid = identity.iccid {
                fields["iccid"] = .string(iccid)
                lines.append("ICCID: \(iccid)")
            }
            if let imei = identity.imei {
                fields["imei"] = .string(imei)
                lines.append("IMEI: \(imei)")
            }
            return USBOutcome(fields: fields, text: lines.joined(separator: "\n"))
        }
    }
}
