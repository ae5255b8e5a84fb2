import ArgumentParser
import Foundation
import Glibc
import ParticleCore
import ParticleSimulators
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl sim softap`: a simulated Photon/P1 in listening mode, serving SoftAP setup on raw TCP and HTTP.
struct SimSoftAP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "softap",
        abstract: "Run a simulated Photon/P1 SoftAP (raw TCP and HTTP setup servers) on this machine.",
        discussion: """
            The first stdout lines say where it listens, e.g. `tcp 127.0.0.1:5609` and `http 127.0.0.1:8080`, then \
            `device <id>` (with --json one object: {"http":…,"id":…,"tcp":…}). Port 0 picks a free port. Then one \
            line per request and event; Wi-Fi passwords are always masked. Runs until SIGINT/SIGTERM.
            Networks in range: HomeNet (wpa2_aes, password "correct horse battery"), "Café Libre" (open), \
            Tenda_51E728 (wpa_aes, any password), CorpNet (wpa2_enterprise). After connect-ap the AP goes away; it \
            comes back after a second when the credentials cannot join.
            Faults (--fault, repeatable): \(SoftAPFault.syntax).
            """
    )

    @Option(help: ArgumentHelp("Raw TCP listen address.", valueName: "host:port"))
    var tcp = "127.0.0.1:5609"

    @Option(help: ArgumentHelp("HTTP listen address.", valueName: "host:port"))
    var http = "127.0.0.1:8080"

    @Flag(help: "Do not serve raw TCP.")
    var noTCP = false

    @Flag(help: "Do not serve HTTP.")
    var noHTTP = false

    @Option(help: ArgumentHelp("Device ID, 24 hex digits (random by default).", valueName: "hex"))
    var deviceID: String?

    @Flag(help: "The device is already claimed (device-id answers \"c\":\"1\").")
    var claimed = false

    @Option(help: ArgumentHelp("A fault to inject (repeatable): KIND[@COMMAND][*COUNT].", valueName: "fault"))
    var fault: [String] = []

    @Option(help: ArgumentHelp("How long scan-ap takes.", valueName: "ms"))
    var scanMs = 300

    @Option(help: ArgumentHelp("Latency added to every reply.", valueName: "ms"))
    var latencyMs = 0

    @Flag(help: "Close the first TCP connection too (real firmware leaves it open, bug #1252).")
    var closeFirstConnection = false

    @Flag(help: "End chunked HTTP replies without the 0-length chunk (firmware before 0.7.0-rc.3).")
    var httpNoTerminator = false

    @Flag(help: "Print machine-readable JSON lines.")
    var json = false

    func validate() throws {
        for item in fault where SoftAPFault(parsing: item) == nil {
            throw ValidationError("--fault \(item): expected \(SoftAPFault.syntax)")
        }
        if !noTCP, Self.split(tcp) == nil { throw ValidationError("--tcp \(tcp): expected HOST:PORT, e.g. 127.0.0.1:0") }
        if !noHTTP, Self.split(http) == nil { throw ValidationError("--http \(http): expected HOST:PORT, e.g. 127.0.0.1:0") }
        if noTCP, noHTTP { throw ValidationError("--no-tcp and --no-http together leave nothing to serve") }
        if let deviceID, deviceID.utf8.count != 24 || Hex.decode(deviceID) == nil {
            throw ValidationError("--device-id must be 24 hex digits")
        }
        guard scanMs >= 0, latencyMs >= 0 else { throw ValidationError("--scan-ms and --latency-ms must not be negative") }
    }

    static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon != text.startIndex else { return nil }
        return (String(text[..<colon]), port)
    }

    func run() async throws {
        var configuration = SoftAPSimulator.Configuration()
        configuration.tcp = noTCP ? nil : Self.split(tcp)
        configuration.http = noHTTP ? nil : Self.split(http)
        configuration.deviceID = deviceID
        configuration.claimed = claimed
        configuration.faults = fault.compactMap(SoftAPFault.init(parsing:))
        configuration.scanDuration = Double(scanMs) / 1000
        configuration.latency = Double(latencyMs) / 1000
        configuration.keepFirstTCPConnectionOpen = !closeFirstConnection
        configuration.httpChunkTerminator = !httpNoTerminator

        let simulator = try SoftAPSimulator(configuration: configuration)
        let stop = StopSignals()
        let (tcpAddress, httpAddress) = try simulator.start()
        let id = simulator.device.deviceID.lowercased()
        if json {
            var fields = ["id": id]
            if let tcpAddress { fields["tcp"] = tcpAddress.description }
            if let httpAddress { fields["http"] = httpAddress.description }
            Self.emit(JSONOutput.line(fields))
        } else {
            if let tcpAddress { Self.emit("tcp \(tcpAddress)") }
            if let httpAddress { Self.emit("http \(httpAddress)") }
            Self.emit("device \(id)")
        }
        let json = json
        let printer = Task {
            for await event in simulator.events { Self.emit(Self.describe(event, json: json)) }
        }
        while !stop.received { try? await Task.sleep(for: .milliseconds(20)) }
        simulator.stop()
        await printer.value
    }

    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// One line per event. Never a Wi-Fi password or key: only that one was received.
    static func describe(_ event: SoftAPSimulator.Event, json: Bool) -> String {
        var fields: [(String, String)]
        switch event {
        case let .request(transport, command, bodyBytes):
            fields = [("event", "request"), ("transport", transport.rawValue), ("command", command), ("body_bytes", String(bodyBytes))]
        case let .replied(transport, command, reply):
            let shown = command == "public-key" ? "{\"b\":\"…\",\"r\":0}" : (reply.count > 160 ? String(reply.prefix(160)) + "…" : reply)
            fields = [("event", "reply"), ("transport", transport.rawValue), ("command", command), ("reply", shown)]
        case let .faultInjected(transport, command, fault):
            fields = [("event", "fault"), ("transport", transport.rawValue), ("command", command), ("fault", fault.description)]
        case let .rejected(transport, command, reason):
            fields = [("event", "rejected"), ("transport", transport.rawValue), ("command", command), ("reason", reason)]
        case let .clientClosed(transport, command):
            fields = [("event", "client-closed"), ("transport", transport.rawValue), ("command", command)]
        case let .claimCodeSet(code):
            fields = [("event", "claim-code-set"), ("claim_code", code)]
        case let .credentialsStored(credentials):
            fields = [("event", "wifi-saved"), ("ssid", credentials.ssid), ("security", credentials.security.name),
                      ("channel", String(credentials.channel))]
            if credentials.password != nil { fields.append(("password", "********")) }
            if let identity = credentials.innerIdentity { fields.append(("identity", identity)) }
            if credentials.privateKey != nil { fields.append(("private_key", "********")) }
        case .connectRequested:
            fields = [("event", "connect-ap"), ("note", "the AP goes away")]
        case let .joined(ssid, claimCode):
            fields = [("event", "joined"), ("ssid", ssid), ("claim_code", claimCode ?? "")]
        case let .joinFailed(ssid):
            fields = [("event", "join-failed"), ("ssid", ssid ?? ""), ("note", "the AP reappears")]
        case .accessPointUp:
            fields = [("event", "ap-up")]
        }
        if json { return JSONOutput.line(Dictionary(fields, uniquingKeysWith: { first, _ in first })) }
        let name = fields.removeFirst().1
        return (["event: \(name)"] + fields.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
    }
}
