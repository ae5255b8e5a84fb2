import ArgumentParser
import Foundation
import ParticleCore
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial wifi`
struct SerialWiFi: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wifi",
        abstract: "Store Wi-Fi credentials on a device in listening mode (Photon, P1, Argon, P2 …).",
        discussion: """
            The device asks for what it needs: when its own scan finds the network it skips the security and cipher \
            questions, and particlectl answers only what is asked. The password is read from stdin with \
            --password-stdin, or asked without echo on a terminal; it is never a command-line value and never \
            printed. Without --ssid on a terminal, everything is asked interactively (a typo is asked again). Every \
            value is checked before anything is sent (control characters, invalid UTF-8, lengths). When the \
            dialogue cannot finish (a refused value, Ctrl-C, SIGTERM), it is closed without saving before the \
            command exits. On success the device leaves listening mode and connects. JSON: \
            {"port":"/dev/ttyACM0","saved":true,"ssid":"Bench"}.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    /// `--ssid` (asked on a terminal when omitted), `--security` (needed when the device does not see the
    /// network), `--password-stdin`.
    @OptionGroup var wifi: WiFiOptions<WiFiSecurity>

    @Option(help: ArgumentHelp("aes, tkip or aes+tkip (default aes, when the device asks).", valueName: "cipher"))
    var cipher: WiFiCipher?

    @OptionGroup var enterprise: WiFiEnterpriseOptions

    var ssid: String? { wifi.ssid }
    var security: WiFiSecurity? { wifi.security }
    var passwordStdin: Bool { wifi.passwordStdin }

    func validate() throws {
        if ssid == nil && !Prompt.isInteractive {
            throw ValidationError("--ssid is required when stdin is not a terminal")
        }
        if passwordStdin && ssid == nil {
            throw ValidationError("--password-stdin needs --ssid (stdin carries only the password)")
        }
        try RawArguments.requireUTF8("--ssid")
    }

    func run() throws {
        let signals = StopSignals()
        var credentials = WiFiCredentials(ssid: ssid ?? "", security: security, cipher: cipher,
                                          eap: enterprise.eap.flatMap { EAPType(rawValue: $0.rawValue) },
                                          username: enterprise.username, outerIdentity: enterprise.outerIdentity)
        if ssid == nil {
            guard let answer = try Self.askUntilValid(.ssid) else { throw UserError(.usage, "no SSID given") }
            credentials.ssid = answer
        }
        if passwordStdin {
            guard let password = try StandardInput().nextLine(), !password.isEmpty else {
                throw UserError(.usage, "--password-stdin: stdin is empty — pipe the password in")
            }
            credentials.password = password
        }
        credentials.clientCertificate = try enterprise.clientCert.map(Self.readPEM)
        credentials.privateKey = try enterprise.privateKey.map(Self.readPEM)
        credentials.rootCA = try enterprise.rootCA.map(Self.readPEM)
        if let problem = credentials.problem() { throw UserError(.usage, problem) }

        let client = try connection.openClient()
        defer { client.close() }
        client.shouldStop = { signals.received }
        let interactive = Prompt.isInteractive && !passwordStdin
        let typed = TypedAnswers(credentials)
        do {
            try client.configureWiFi(credentials) { prompt in
                guard interactive else { return nil }
                return try Self.askUntilValid(prompt, given: typed)
            }
        } catch var error as ListeningModeError {
            if case .dialogue(.missing(let prompt)) = error.kind { error.advice = "pass \(Self.option(for: prompt))" }
            throw error
        }
        if output.json {
            Terminal.write(JSONOutput.line(WiFiJSON(port: client.path, saved: true, ssid: credentials.ssid)))
        } else {
            Terminal.write("Wi-Fi credentials for \"\(credentials.ssid)\" saved on \(client.path); the device is connecting.")
        }
    }

    /// This command's option (or input) that supplies what `prompt` asks for.
    static func option(for prompt: ListeningModePrompt) -> String {
        switch prompt {
        case .ssid: "--ssid"
        case .security, .securityWithEnterprise: "--security"
        case .cipher: "--cipher"
        case .password: "the password on stdin (--password-stdin)"
        case .eapType: "--eap"
        case .username: "--username"
        case .outerIdentity: "--outer-identity"
        case .clientCertificate: "--client-cert FILE"
        case .privateKey: "--private-key FILE"
        case .rootCA: "--root-ca FILE"
        case .claimCode: "`particlectl serial claim --code`"
        }
    }

    /// Asks at the terminal for what the device asks and the flags did not give; a typo (an unknown choice, a
    /// control character) is said and asked again, so the device only ever gets a valid answer.
    static func askUntilValid(_ prompt: ListeningModePrompt, given typed: TypedAnswers? = nil) throws -> String? {
        guard let question = question(for: prompt) else { return nil }
        while true {
            var answer = try Prompt.ask(question, secret: prompt == .password, hint: "pass \(option(for: prompt))")
            // Choices are sent by their canonical name ("WPA2" is "wpa2").
            if [.security, .securityWithEnterprise, .cipher, .eapType].contains(prompt) { answer = answer.lowercased() }
            if let problem = problem(with: answer, for: prompt) ?? typed?.problem(with: answer, for: prompt) {
                Terminal.writeError("particlectl: \(problem); try again")
                continue
            }
            typed?.record(answer, for: prompt)
            return answer
        }
    }

    /// What was typed so far, so that a password is checked against the security type chosen a moment before.
    final class TypedAnswers {
        private var credentials: WiFiCredentials

        init(_ credentials: WiFiCredentials) { self.credentials = credentials }

        func record(_ answer: String, for prompt: ListeningModePrompt) {
            if prompt == .security || prompt == .securityWithEnterprise { credentials.security = WiFiSecurity(rawValue: answer) }
        }

        /// The whole-credentials check (key lengths for the security type) with this answer as the password.
        func problem(with answer: String, for prompt: ListeningModePrompt) -> String? {
            guard prompt == .password else { return nil }
            var candidate = credentials
            candidate.password = answer
            return candidate.problem()
        }
    }

    static func question(for prompt: ListeningModePrompt) -> String? {
        switch prompt {
        case .security: "Security (none, wep, wpa, wpa2, wpa3): "
        case .securityWithEnterprise: "Security (none, wep, wpa, wpa2, wpa-enterprise, wpa2-enterprise): "
        case .cipher: "Cipher (aes, tkip, aes+tkip): "
        case .password: "Password: "
        case .eapType: "EAP type (peap, tls): "
        case .username: "Username: "
        case .ssid: "SSID: "
        default: nil
        }
    }

    /// What is wrong with a typed answer (never quoting a password); nil when the device can take it.
    static func problem(with answer: String, for prompt: ListeningModePrompt) -> String? {
        switch prompt {
        case .security, .securityWithEnterprise:
            guard let choice = WiFiSecurity(rawValue: answer.lowercased()) else {
                return "\"\(answer)\" is not a security type"
            }
            if choice.isEnterprise && prompt == .security { return "this device does not offer WPA Enterprise" }
            return nil
        case .cipher:
            return WiFiCipher(rawValue: answer.lowercased()) == nil ? "\"\(answer)\" is not a cipher" : nil
        case .eapType:
            return EAPType(rawValue: answer.lowercased()) == nil ? "\"\(answer)\" is not an EAP type" : nil
        case .ssid:
            if answer.isEmpty { return "the SSID is empty" }
            if answer.utf8.count > 32 { return "the SSID is longer than 32 bytes" }
            return ConsoleText.problem(in: answer, named: "SSID")
        case .password:
            if answer.utf8.count > 64 { return "the password is longer than 64 characters" }
            return ConsoleText.problem(in: answer, named: "password")
        case .username:
            if answer.utf8.count > 64 { return "the username is longer than 64 characters" }
            return ConsoleText.problem(in: answer, named: "username")
        default:
            return nil
        }
    }

    static func readPEM(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError(.usage, "cannot read \(path) — check the path and its permissions")
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct WiFiJSON: Encodable {
        var port: String
        var saved: Bool
        var ssid: String
    }
}

extension WiFiSecurity: ExpressibleByArgument, WiFiSecurityArgument {
    public static var securityHelp: String {
        "none, wep, wpa, wpa2, wpa3, wpa-enterprise or wpa2-enterprise (needed when the device does not see the network)."
    }
}
extension WiFiCipher: ExpressibleByArgument {}
