import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleHardware
import ParticleProvisioning
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl provision`: one device, end to end.
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision a device end to end: identify, claim code, Wi-Fi, online, owner, optionally firmware.",
        discussion: """
            Over USB serial (default; --port or the single attached device) or over the device's SoftAP (--softap). \
            Steps: identify → check-cloud → [import] → claim-code → configure → connect → wait-online → \
            verify-owner → [rename] → [flash]. A rerun skips what is already done. The Wi-Fi password comes from \
            --password-stdin or a prompt without echo. stdin lines, in order: the token (--token-stdin), the Wi-Fi \
            password (--password-stdin), the client secret (--secret-stdin). JSON: {"device_id", "platform", \
            "owner", "name", "product", "firmware", "steps": [{"step", "outcome", "detail", "seconds"}], "seconds"}.
            """
    )

    @Option(help: "Serial port of the device (default: the single attached Particle device).")
    var port: String?
    @Flag(help: "Provision over the device's SoftAP instead of USB serial (join its Photon-XXXX network first).")
    var softap = false
    @Option(help: "SoftAP address HOST[:PORT] (default 192.168.0.1 and the protocol's port).")
    var address: String?
    @Option(name: .customLong("protocol"), help: "SoftAP protocol: tcp (port 5609) or http (port 80).")
    var transport: String = "tcp"

    @Option(help: "Wi-Fi network name the device joins.")
    var ssid: String
    @Option(help: "Wi-Fi security (none, wep, wpa, wpa2, wpa3); by default the device's scan decides.")
    var security: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the Wi-Fi password from stdin (an empty line: open network).")
    var passwordStdin = false

    @Option(help: "Product ID or slug: the device is imported into it (or claimed by its customer).")
    var product: String?
    @Option(help: "Customer email: the product customer who will own the device (needs --product and --client-id).")
    var customer: String?
    @Option(name: .customLong("client-id"), help: "The product's OAuth client ID, to act for the customer.")
    var clientID: String?
    @Option(help: "Name to give the device.")
    var name: String?
    @Option(help: "Bundled firmware to flash and verify at the end (functionVar, functionVarPub).")
    var firmware: String?
    @Option(help: "Device OS version to build the firmware against.")
    var target: String?

    @Option(parsing: .unconditional, help: "Seconds to wait for each answer of the device (0.01–86400).",
            transform: Seconds.argument)
    var timeout: Seconds = 5
    @Option(name: .customLong("online-timeout"), parsing: .unconditional,
            help: "Seconds to wait for the device to come online (0.01–86400).", transform: Seconds.argument)
    var onlineTimeout: Seconds = 90

    @OptionGroup var secret: ClientSecretOptions
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if softap && port != nil { throw ValidationError("--port is for serial; with --softap use --address") }
        if !softap && address != nil { throw ValidationError("--address needs --softap") }
        if customer != nil && (product == nil || clientID == nil) {
            throw ValidationError("--customer needs --product and --client-id (the secret from --secret-stdin or PARTICLE_CLIENT_SECRET)")
        }
        if let firmware, BundledFirmware.named(firmware) == nil {
            let names = BundledFirmware.all.map(\.name).joined(separator: ", ")
            throw ValidationError("--firmware takes a bundled firmware: \(names)")
        }
        try RawArguments.requireUTF8("--ssid")
        guard SoftAPAddress.Transport(rawValue: transport) != nil else {
            throw ValidationError("--protocol must be tcp or http")
        }
    }

    func run() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let token = try session.token()
        let password = try wifiPassword(input)
        let clientSecret = customer != nil ? try secret.secret(input) : nil
        let link = try makeLink()
        let json = output.json

        let summary = try await CloudClient.with(session.configuration(token: token.token)) { client in
            var owner = ClaimOwner.user
            var customerClient: CloudClient?
            if let customer, let clientID, let clientSecret {
                let reply = try await client.tokens.clientCredentials(clientID: clientID, secret: clientSecret,
                                                                      customer: customer)
                let customerCloud = CloudClient(session.configuration(token: reply.accessToken))
                customerClient = customerCloud
                owner = .customer(email: customer, customerCloud: customerCloud)
            }
            let plan = ProvisioningPlan(
                wifi: WiFiSettings(ssid: ssid, password: password, security: security), product: product,
                owner: owner, name: name, firmware: try firmware.map { try FirmwareSelection.resolve([$0]) },
                firmwareTarget: target, onlineTimeout: onlineTimeout.value)
            let provisioner = Provisioner(cloud: client, link: link, plan: plan)
            do {
                let summary = try await provisioner.run { event in
                    if !json { ProgressPrinter.print(event) }
                }
                await customerClient?.shutdown()
                return summary
            } catch {
                await customerClient?.shutdown()
                throw error
            }
        }
        if json {
            Terminal.write(JSONOutput.line(summary))
        } else {
            Terminal.write(ProgressPrinter.summary(summary))
        }
    }

    private func makeLink() throws -> any DeviceLink {
        if softap {
            let kind = SoftAPAddress.Transport(rawValue: transport) ?? .tcp
            let parsed = try address.map { try SoftAPAddress(parsing: $0, transport: kind) } ?? SoftAPAddress(transport: kind)
            return SoftAPLink(client: SoftAPClient(address: parsed, options: SoftAPClient.Options(timeout: timeout.value)))
        }
        return SerialLink(port: try PortSelection.choose(explicit: port), timeout: timeout.value)
    }

    private func wifiPassword(_ input: StandardInput) throws -> String {
        if passwordStdin {
            guard let line = try input.nextLine() else {
                throw UserError(.usage, "--password-stdin given but stdin held no password line")
            }
            return line
        }
        return try Prompt.ask("Wi-Fi password for \(ssid) (empty for an open network): ", secret: true,
                              hint: "pipe the password with --password-stdin")
    }
}

/// Human progress lines for workflows, on stderr.
enum ProgressPrinter {
    static func print(_ event: ProgressEvent) {
        switch event {
        case .started(let step):
            Terminal.writeError("… \(step.rawValue): \(step.doing)")
        case .finished(let report):
            let mark = report.outcome == .done ? "✓" : "–"
            let skipped = report.outcome == .skipped ? "skipped, " : ""
            Terminal.writeError("\(mark) \(report.step.rawValue): \(skipped)\(report.detail) (\(format(report.seconds)))")
        case .note(let line):
            Terminal.writeError("    \(line)")
        }
    }

    static func summary(_ summary: ProvisioningSummary) -> String {
        var lines = ["Provisioned \(summary.deviceID) in \(format(summary.seconds))"]
        lines.append("  platform:  \(summary.platform ?? "unknown")")
        lines.append("  owner:     \(summary.owner ?? "-")")
        if let name = summary.name { lines.append("  name:      \(name)") }
        if let product = summary.product { lines.append("  product:   \(product)") }
        if let firmware = summary.firmware {
            lines.append("  firmware:  \(firmware.firmware)\(firmware.verified ? " (verified)" : "")")
        }
        var table = Table("STEP", "OUTCOME", "SECONDS", "DETAIL")
        for step in summary.steps {
            table.append([step.step.rawValue, step.outcome.rawValue, String(format: "%.2f", step.seconds), step.detail])
        }
        return (lines + [table.rendered]).joined(separator: "\n")
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
}
