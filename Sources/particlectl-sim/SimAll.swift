import ArgumentParser
import Foundation
import ParticleCLISupport
import ParticleCore
import ParticleSimulators

/// `particlectl sim all`: the fake cloud, a serial device and a SoftAP Photon, wired together.
struct SimAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run the whole simulated world: fake cloud, a device on a pseudo-terminal, a Photon's SoftAP.",
        discussion: """
            A device given a claim code and the right Wi-Fi credentials (network HomeNet, password "correct horse \
            battery") comes online in the fake cloud claimed by the code's owner. --devices N starts N serial \
            devices, each on its own pseudo-terminal with its own device ID and serial number (to rehearse a bench \
            or a hub). Prints where everything listens (with --json: one JSON object on the first stdout line: \
            cloud_url, serial_port, serial_device_id, serial_platform, serial_devices [{port, device_id, \
            serial_number, platform}], softap_tcp, softap_http, softap_device_id, ssid, wifi_password), then what \
            happens, until interrupted or --duration passes. Cloud users: dev@example.com / dev-password.
            """
    )

    @Option(help: "Port of the fake cloud on 127.0.0.1 (0 = any free port).")
    var cloudPort = 0
    @Option(help: "Platform of the serial devices (photon, p1, argon, p2).")
    var platform = "argon"
    @Option(help: "How many serial devices (1–64), each on its own pseudo-terminal.")
    var devices = 1
    @Option(parsing: .unconditional, help: "Stop after this many seconds, 0.01–86400 (default: run until interrupted).",
            transform: Seconds.argument)
    var duration: Seconds?
    @Flag(help: "Print the endpoints as one JSON object.")
    var json = false

    func validate() throws {
        guard let platform = SimulatedPlatform.named(platform), platform.hasWiFiConsole else {
            throw ValidationError("--platform must be a Wi-Fi platform: photon, p1, argon or p2")
        }
        guard (1...64).contains(devices) else { throw ValidationError("--devices must be 1 to 64") }
    }

    func run() async throws {
        var configuration = SimulatedWorld.Configuration()
        configuration.cloudPort = cloudPort
        configuration.serialPlatform = SimulatedPlatform.named(platform) ?? .argon
        configuration.serialDevices = devices
        let world = SimulatedWorld(configuration: configuration, cloudData: try FakeCloudSeed.data())
        let endpoints: SimulatedWorld.Endpoints
        do {
            endpoints = try await world.start { line in
                FileHandle.standardError.write(Data("sim: \(line)\n".utf8))
            }
        } catch {
            throw UserError(.io, "cannot start the simulated world: \(error)")
        }
        if json {
            FileHandle.standardOutput.write(Data((JSONOutput.line(endpoints) + "\n").utf8))
        } else {
            let serial = endpoints.serialDevices.map {
                "  serial device:  \($0.port)   (\($0.platform) \($0.deviceID), serial \($0.serialNumber), listening mode)"
            }.joined(separator: "\n")
            let password = endpoints.wifiPassword.map { "   (password: \($0))" } ?? ""
            let text = """
                Simulated world is up.
                  fake cloud:     \(endpoints.cloudURL)   (users dev@example.com / dev-password)
                \(serial)
                  SoftAP Photon:  \(endpoints.softAPTCP) (tcp), \(endpoints.softAPHTTP) (http)   (\(endpoints.softAPDeviceID))
                  Wi-Fi network:  \(endpoints.ssid)\(password)
                Try:
                  export PARTICLE_API_URL=\(endpoints.cloudURL)
                  particlectl login --username dev@example.com      # password: dev-password
                  particlectl provision --port \(endpoints.serialPort) --ssid \(endpoints.ssid)
                  particlectl provision --softap --address \(endpoints.softAPTCP) --ssid \(endpoints.ssid)

                """
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        await SimulatorLifetime.waitForEnd(duration: duration)
        await world.stop()
    }
}
