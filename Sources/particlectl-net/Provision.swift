import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleHardware
import ParticleProvisioning
import ParticleSerial
import ParticleSoftAP
import ParticleCLISupport

/// `particlectl provision`: one device, end to end.
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision a device end to end: identify, claim code, Wi-Fi, online, owner, optionally firmware.",
        discussion: """
            Over USB serial (default; --port or the single attached device) or over the device's SoftAP (--softap); \
            with --device ID|NAME only the cloud steps run for a device already claimed (name, firmware). \
            Steps: validate → identify → check-cloud → [import] → claim-code → configure → connect → wait-online → \
            verify-owner → [rename] → [flash]. Nothing is written to the device before the plan checked out (name, \
            name free, product, password length). A rerun skips what is already done and puts a device that left \
            listening mode back into it (Device OS < 6). The Wi-Fi password comes from --password-stdin or a prompt \
            without echo once the device is found. stdin lines, in order: the token (--token-stdin), the Wi-Fi \
            password (--password-stdin), the client secret (--secret-stdin). JSON: {"device_id", "platform", \
            "owner", "name", "product", "firmware", "device_os", "mac", "serial_number", "iccid", "imei", \
            "steps": [{"step", "outcome", "detail", "seconds"}], "seconds", "particlectl_version"}; on failure the same object plus \
            "error", "exit_code" and "failed_step".
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

    @Option(help: "A device already claimed (24-hex ID or name): run only the cloud steps (--name, --firmware).")
    var device: String?

    /// `--ssid` (needed unless --device), `--security`, `--password-stdin` (an empty line: an open network).
    @OptionGroup var wifi: WiFiOptions<NetworkSecurity>
    var ssid: String? { wifi.ssid }
    var security: NetworkSecurity? { wifi.security }
    var passwordStdin: Bool { wifi.passwordStdin }

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
        if device != nil {
            if port != nil || softap || address != nil || ssid != nil || security != nil || passwordStdin {
                throw ValidationError("""
                    --device runs only the cloud steps: it takes no --port, --softap, --address, --ssid, --security \
                    or --password-stdin
                    """)
            }
            if (try? DeviceReference(device ?? "")) == nil {
                throw ValidationError("--device takes a 24-hex device ID or a device name")
            }
        } else if ssid == nil {
            throw ValidationError("Missing expected argument '--ssid <ssid>' (or --device for a device already claimed)")
        }
        if let name, let problem = DeviceNameRule.problem(name) { throw ValidationError("--name: \(problem)") }
        if softap, let security, security.softAP == nil {
            throw ValidationError("--security \(security) cannot be set over SoftAP (the Photon and P1 support up to WPA2)")
        }
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
        do {
            try await provision()
        } catch let error as any ParticleError where output.json && !(error is ProvisionFailure) {
            // Failed before the first step (no token, refused client credentials …): the same object, empty.
            Terminal.write(JSONOutput.line(FailedRun(
                summary: ProvisioningSummary(product: product), error: error.message,
                exitCode: error.exitStatus.rawValue, failedStep: nil)))
            throw error
        }
    }

    private func provision() async throws {
        let input = StandardInput()
        let session = CloudSession(cloud, input: input)
        let token = try session.token()
        // From stdin now (its lines come in order); from the terminal only once the device is found.
        let password = passwordStdin ? try wifiPassword(input) : nil
        let clientSecret = customer != nil ? try secret.secret(input) : nil
        let link = try device == nil ? makeLink() : nil
        let json = output.json
        let printer = ProgressPrinter(enabled: !json)
        let asker = TerminalQuestion {
            try StopSignals.withDefaultHandling { try askPassword(input, printer: printer) }
        }

        var configuration = session.configuration(token: token.token)
        configuration.onBackOff = { printer.show($0) }
        let outcome: Result<ProvisioningSummary, ProvisioningError> = try await session.attributingRejection(to: token) {
            try await CloudClient.with(configuration) { client in
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
                    wifi: ssid.map { WiFiSettings(ssid: $0, password: password, security: security) }, product: product,
                    owner: owner, name: name, firmware: try firmware.map { try FirmwareSelection.resolve([$0]) },
                    firmwareTarget: target, onlineTimeout: onlineTimeout.value)
                var provisioner: Provisioner
                if let link {
                    provisioner = Provisioner(cloud: client, link: link, plan: plan)
                    provisioner.passwordPrompt = { _ in try asker.ask() }
                } else {
                    provisioner = Provisioner(cloud: client, device: try DeviceReference(device ?? ""), plan: plan)
                }
                let result: Result<ProvisioningSummary, ProvisioningError>
                do {
                    result = .success(try await StopSignals.cancellingOnSignal { [provisioner] in
                        try await provisioner.run { printer.show($0) }
                    })
                } catch let error as ProvisioningError {
                    result = .failure(error)
                } catch {
                    await customerClient?.shutdown()
                    throw error
                }
                await customerClient?.shutdown()
                return result
            }
        }
        switch outcome {
        case .success(let summary):
            Terminal.write(json ? JSONOutput.line(summary) : ProgressPrinter.summary(summary))
        case .failure(let error):
            printer.failed(error)
            let failure = ProvisionFailure(error: error, cloudOnlyOptions: cloudOnlyOptions, tokenOrigin: token.origin)
            let exitCode = error.isInterrupted ? 128 + (StopSignals.last ?? SIGINT) : failure.exitStatus.rawValue
            if json {
                Terminal.write(JSONOutput.line(FailedRun(summary: error.summary, error: failure.message, exitCode: exitCode,
                                                         failedStep: error.step.rawValue)))
            }
            if error.isInterrupted {
                Terminal.writeError("particlectl: \(failure.message)")
                throw ExitCode(exitCode)
            }
            throw failure
        }
    }

    /// Asks at the terminal once the device is found; a password that cannot work is asked again (three tries).
    private func askPassword(_ input: StandardInput, printer: ProgressPrinter) throws -> String {
        var tries = 0
        while true {
            tries += 1
            let password = try printer.pausing { try wifiPassword(input) }
            guard let problem = WiFiPasswordRule.problem(password, security: security), tries < 3 else { return password }
            printer.pausing { Terminal.writeError("particlectl: \(problem); try again") }
        }
    }

    /// This run's options that the cloud-only command (`--device`) repeats.
    var cloudOnlyOptions: String {
        var words: [String] = []
        if let product { words.append("--product \(product)") }
        if let name { words.append("--name \(name)") }
        if let firmware { words.append("--firmware \(firmware)") }
        if let target { words.append("--target \(target)") }
        return words.joined(separator: " ")
    }

    private func makeLink() throws -> any DeviceLink {
        if softap {
            let kind = SoftAPAddress.Transport(rawValue: transport) ?? .tcp
            let parsed: SoftAPAddress
            do {
                parsed = try address.map { try SoftAPAddress(parsing: $0, transport: kind) } ?? SoftAPAddress(transport: kind)
            } catch let error as SoftAPError {
                throw UserError(error.exitStatus, SoftAPRemedies.message(error, naming: SoftAPRemedies.provision))
            }
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
        return try Prompt.ask("Wi-Fi password for \(ssid ?? "the network") (empty for an open network): ", secret: true,
                              hint: "pipe the password with --password-stdin")
    }
}


extension NetworkSecurity: ExpressibleByArgument, WiFiSecurityArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public static var allValueStrings: [String] { acceptedNames }
    public static var securityHelp: String {
        "none, wep, wpa, wpa2, wpa3, or wpa_aes, wpa2_tkip, wpa2_mixed …; by default the device's scan decides."
    }
}

/// A question for the person at the terminal, asked from the provisioning task (once, when it gets there).
final class TerminalQuestion: @unchecked Sendable {
    let ask: () throws -> String
    init(_ ask: @escaping () throws -> String) { self.ask = ask }
}

/// A failed `provision`: the library's error with this command's words for what to do next.
struct ProvisionFailure: ParticleError {
    let error: ProvisioningError
    /// `--product P --name N --firmware F` as given, for the `--device` command.
    let cloudOnlyOptions: String
    /// Where the token came from, so a rejected one names its source (`PARTICLE_AUTH`, stdin …).
    let tokenOrigin: TokenOrigin

    var exitStatus: ExitStatus { error.exitStatus }

    var message: String {
        let failed = "step '\(error.step.rawValue)' (\(error.step.doing)) failed: \(cause)"
        switch error.resume {
        case .rerun:
            return failed + "; rerun the same command to continue — steps already done are skipped"
        case .rerunReentersListeningMode:
            return failed + "; rerun the same command — it puts the device back into listening mode and continues"
        case .holdSetupThenRerun:
            return failed + "; hold SETUP until the LED blinks dark blue, then rerun the same command"
        case .finishFromCloud(let id):
            let command = ["particlectl provision --device \(id)", cloudOnlyOptions].filter { !$0.isEmpty }
            return failed + "; the device is claimed and online — finish with `\(command.joined(separator: " "))`"
        case .fixCause:
            return failed
        }
    }
}

extension ProvisionFailure {
    /// The library's line, with this command's option where the device asked for something not given.
    var cause: String {
        if let cloud = error.underlying as? CloudError { return cloud.attributed(to: tokenOrigin).inCommandLineWords.message }
        if let softAP = error.underlying as? SoftAPError {
            return SoftAPRemedies.message(softAP, naming: SoftAPRemedies.provision)
        }
        guard var dialogue = error.underlying as? ListeningModeError,
              case .dialogue(.missing(let prompt)) = dialogue.kind else { return error.cause }
        dialogue.advice = Self.advice(for: prompt)
        return dialogue.message
    }

    /// `provision` answers the SSID, security and password prompts; other prompts (cipher choice, enterprise
    /// settings) mean a network it does not set up.
    static func advice(for prompt: ListeningModePrompt) -> String {
        switch prompt {
        case .ssid: "pass --ssid"
        case .security, .securityWithEnterprise: "pass --security"
        case .password: "pass the password with --password-stdin or at the prompt"
        default: "provision sets up open, WEP and WPA/WPA2/WPA3 personal networks only; use `particlectl serial wifi` for this one, then rerun provision"
        }
    }
}

/// `--json` on failure: the success object plus `error`, `exit_code` and `failed_step` (null when no step started).
struct FailedRun: Encodable {
    let summary: ProvisioningSummary
    let failure: FailureFields

    init(summary: ProvisioningSummary, error: String, exitCode: Int32, failedStep: String?) {
        self.summary = summary
        failure = FailureFields(error: error, exitCode: exitCode, failedStep: failedStep)
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        try failure.encode(to: encoder)
    }
}

/// What `--json` adds to a command's object when it fails: `error`, `exit_code`, `failed_step` (null when none).
struct FailureFields: Encodable {
    let error: String
    let exitCode: Int32
    let failedStep: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(error, forKey: .error)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(failedStep, forKey: .failedStep)
    }

    enum Key: String, CodingKey {
        case error
        case exitCode = "exit_code"
        case failedStep = "failed_step"
    }
}
