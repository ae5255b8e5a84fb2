import ParticleCLISupport
import ParticleCore
import ParticleHardware
import ParticleUSB

/// What one device's part of a `usb` command produced: JSON keys and a line for people.
struct USBOutcome: Sendable {
    var fields: [String: JSONValue]
    var text: String
}

/// Runs a `usb` command's action on its target devices (concurrently with --all) and prints the results: one JSON
/// object (or line) for one device; with --all a JSON array of objects (with "error" and "exit_code" for a device
/// that failed) and one line per device. Each object also carries "usb_path", "device_id" and "platform".
enum USBFanOut {
    typealias Action = @Sendable (ParticleUSBClient) async throws -> USBOutcome

    static func run(_ options: USBTargetOptions, json: Bool, _ action: @escaping Action) async throws {
        let attached = try await DeviceDiscovery.scan()
        let targets = try options.targets(among: attached)
        guard !targets.isEmpty else {
            if json { Terminal.write("[]") }
            throw UserError(.notFound, PortSelection.noDeviceMessage)
        }
        let timeout = options.timeoutMilliseconds
        let results = await withTaskGroup(of: (Int, Result<USBOutcome, any Error>).self) { group in
            for (index, device) in targets.enumerated() {
                group.addTask {
                    let channel: USBControlChannel
                    do {
                        channel = try await USBControlChannel(device: device)
                    } catch {
                        return (index, .failure(error))
                    }
                    let result: Result<USBOutcome, any Error>
                    do {
                        result = .success(try await action(ParticleUSBClient(channel: channel, timeoutMilliseconds: timeout)))
                    } catch {
                        result = .failure(error)
                    }
                    await channel.close()
                    return (index, result)
                }
            }
            var collected: [(Int, Result<USBOutcome, any Error>)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }.map { (targets[$0.0], $0.1) }
        }
        if !options.all, let (device, result) = results.first {
            let outcome = try result.get()
            Terminal.write(json ? object(device, outcome.fields).serialized : outcome.text)
            return
        }
        var failures: [any Error] = []
        var objects: [JSONValue] = []
        for (device, result) in results {
            switch result {
            case .success(let outcome):
                objects.append(object(device, outcome.fields))
                if !json { Terminal.write("\(label(device)): \(outcome.text.replacingNewlines)") }
            case .failure(let error):
                failures.append(error)
                let status = (error as? any ParticleError)?.exitStatus ?? .io
                objects.append(object(device, ["error": .string(text(of: error)), "exit_code": .int(Int(status.rawValue))]))
                if !json { Terminal.write("\(label(device)): error: \(text(of: error))") }
            }
        }
        if json { Terminal.write(JSONValue.array(objects).serialized) }
        for error in failures.dropLast() { Terminal.writeError("particlectl: \(text(of: error))") }
        if let last = failures.last { throw last }
    }

    static func label(_ device: DeviceIdentity) -> String { device.usb?.path ?? device.usb?.serialNumber ?? "?" }

    static func text(of error: any Error) -> String { (error as? any ParticleError)?.message ?? "\(error)" }

    /// The device's keys and `fields`, keys sorted.
    static func object(_ device: DeviceIdentity, _ fields: [String: JSONValue]) -> JSONValue {
        var all = deviceFields(device)
        for (key, value) in fields { all[key] = value }
        return .object(all.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
    }

    static func deviceFields(_ device: DeviceIdentity) -> [String: JSONValue] {
        ["usb_path": device.usb?.path.map(JSONValue.string) ?? .null,
         "device_id": device.usb?.serialNumber.map { .string($0.lowercased()) } ?? .null,
         "platform": device.platform.map { .string($0.name) } ?? .null]
    }
}

extension String {
    var replacingNewlines: String { split(separator: "\n").joined(separator: "; ") }
}
