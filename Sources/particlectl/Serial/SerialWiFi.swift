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
            printed. Without --ssid on a terminal, everything is asked interactively. On success the device leaves \
            listening mode and connects. JSON: {"port":"/dev/ttyACM0","saved":true,"ssid":"Bench"}.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The network name (asked on a terminal when omitted).", valueName: "name"))
    var ssid: String?

    @Option(help: ArgumentHelp("none, wep, wpa, wpa2, wpa3, wpa-enterprise or wpa2-enterprise (needed when the device does not see the network).", valueName: "type"))
    var security: WiFiSecurity?

    @Option(help: ArgumentHelp("aes, tkip or aes+tkip (default aes, when the device asks).", valueName: "cipher"))
    var cipher: WiFiCipher?

    @Flag(help: "Read the password (or the enterprise password) from the first line of stdin.")
    var passwordStdin = false

    @Option(help: ArgumentHelp("Enterprise: peap or tls.", valueName: "type"))
    var eap: EAPType?

    @Option(help: ArgumentHelp("Enterprise (PEAP): the username.", valueName: "name"))
    var username: String?

    @Option(help: ArgumentHelp("Enterprise (TLS): the client certificate, PEM.", valueName: "file"))
    var clientCert: String?

    @Option(help: ArgumentHelp("Enterprise (TLS): the private key, PEM.", valueName: "file"))
    var privateKey: String?

    @Option(help: ArgumentHelp("Enterprise: the root CA, PEM (optional).", valueName: "file"))
    var rootCa: String?

    @Option(help: ArgumentHelp("Enterprise: the outer identity (optional).", valueName: "identity"))
    var outerIdentity: String?

    func validate() throws {
        if ssid == nil && !InteractiveInput.isInteractive {
            throw ValidationError("--ssid is required when stdin is not a terminal")
        }
        if passwordStdin && ssid == nil {
            throw ValidationError("--password-stdin needs --ssid (stdin carries only the password)")
        }
    }

    func run() throws {
        var credentials = WiFiCredentials(ssid: ssid ?? "", security: security, cipher: cipher, eap: eap,
                                          username: username, outerIdentity: outerIdentity)
        if ssid == nil {
            guard let answer = InteractiveInput.ask("SSID: "), !answer.isEmpty else {
                throw UserError(.usage, "no SSID given")
            }
            credentials.ssid = answer
        }
        if passwordStdin {
            guard let password = InteractiveInput.firstLineOfStandardInput(), !password.isEmpty else {
                throw UserError(.usage, "--password-stdin: stdin is empty — pipe the password in")
            }
            credentials.password = password
        }
        credentials.clientCertificate = try clientCert.map(Self.readPEM)
        credentials.privateKey = try privateKey.map(Self.readPEM)
        credentials.rootCA = try rootCa.map(Self.readPEM)
        if let problem = credentials.problem() { throw UserError(.usage, problem) }

        let client = try connection.openClient()
        defer { client.close() }
        let interactive = InteractiveInput.isInteractive && !passwordStdin
        try client.configureWiFi(credentials) { prompt in
            guard interactive else { return nil }
            return Self.askUser(prompt)
        }
        if output.json {
            Terminal.write(JSONOutput.line(WiFiJSON(port: client.path, saved: true, ssid: credentials.ssid)))
        } else {
            Terminal.write("Wi-Fi credentials for \"\(credentials.ssid)\" saved on \(client.path); the device is connecting.")
        }
    }

    /// A question for what the device asks and the flags did not give.
    static func askUser(_ prompt: ListeningModePrompt) -> String? {
        switch prompt {
        case .security, .securityWithEnterprise:
            let choices = prompt == .security ? "none, wep, wpa, wpa2, wpa3" : "none, wep, wpa, wpa2, wpa-enterprise, wpa2-enterprise"
            return InteractiveInput.ask("Security (\(choices)): ")
        case .cipher: return InteractiveInput.ask("Cipher (aes, tkip, aes+tkip): ")
        case .password: return InteractiveInput.ask("Password: ", secret: true)
        case .eapType: return InteractiveInput.ask("EAP type (peap, tls): ")
        case .username: return InteractiveInput.ask("Username: ")
        case .ssid: return InteractiveInput.ask("SSID: ")
        default: return nil
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

extension WiFiSecurity: ExpressibleByArgument {}
extension WiFiCipher: ExpressibleByArgument {}
extension EAPType: ExpressibleByArgument {}
