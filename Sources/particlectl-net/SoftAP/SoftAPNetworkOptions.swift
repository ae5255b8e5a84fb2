import ArgumentParser
import Foundation
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// The Wi-Fi network to store on the device, and where its secrets come from (never from a plain argument): the
/// shared `WiFiOptions` and `WiFiEnterpriseOptions` (the names every Wi-Fi command uses), plus SoftAP's `--channel`.
struct SoftAPNetworkOptions: ParsableArguments {
    @OptionGroup var wifi: WiFiOptions<SoftAPSecurityName>

    @Option(help: ArgumentHelp("Channel (with --security; default 0, which the device ignores).", valueName: "n"))
    var channel: Int?

    @OptionGroup var enterprise: WiFiEnterpriseOptions

    /// `--ssid` (required: `validate` makes sure it is there).
    var ssid: String { wifi.ssid ?? "" }
    var security: String? { wifi.security?.text }
    var passwordStdin: Bool { wifi.passwordStdin }
    var eap: String? { enterprise.eap?.rawValue }

    func validate() throws {
        guard wifi.ssid != nil else { throw ValidationError("Missing expected argument '--ssid <ssid>'") }
        if let security, SoftAPSecurity(name: security) == nil {
            throw ValidationError("unknown --security \(security); use one of \(SoftAPSecurity.acceptedNames.joined(separator: ", "))")
        }
        if channel != nil, security == nil { throw ValidationError("--channel needs --security (otherwise the scan decides)") }
        if let channel, !(0...196).contains(channel) { throw ValidationError("--channel must be 0 to 196") }
        if enterprise.eap == .tls, enterprise.clientCert == nil || enterprise.privateKey == nil {
            throw ValidationError("--eap tls needs --client-cert and --private-key")
        }
        if enterprise.eap == .peap, enterprise.username == nil { throw ValidationError("--eap peap needs --username") }
        try RawArguments.requireUTF8("--ssid")
        do {
            try SoftAPInputRules.checkSSID(ssid)
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// What is known before the device is contacted: the network when --security was given, and the credentials
    /// that come from stdin or files (a prompt waits until the device has answered).
    struct Prepared {
        var network: (security: SoftAPSecurity, channel: Int)?
        var credentials: SoftAPCredentials?
        var password: String?
    }

    /// Reads the secrets that do not need a person or the device and checks everything that can be checked, so bad
    /// input is exit 2 before anything is sent (even when the device is unreachable).
    func prepare() throws -> Prepared {
        if let security, let parsed = SoftAPSecurity(name: security) {
            var prepared = Prepared(network: (parsed, channel ?? 0))
            if passwordStdin || parsed.isOpen || eap == "tls" || (parsed.isEnterprise && eap == nil) {
                let credentials = try credentials(for: parsed)
                try credentials.check(ssid: ssid, security: parsed)
                prepared.credentials = credentials
            }
            return prepared
        }
        guard passwordStdin else { return Prepared() }
        let password = try self.password()
        // Whatever the scan finds, a password outside 5…64 bytes fits no secured network.
        guard (5...64).contains(password.utf8.count) else {
            throw UserError(.usage, "the Wi-Fi password must be 8 to 64 characters for WPA/WPA2 (5 to 58 for WEP); nothing was sent")
        }
        return Prepared(password: password)
    }

    /// The security, channel and credentials to send: as prepared, or from the strongest scan entry with this SSID;
    /// checked before anything else is sent.
    func resolve(_ prepared: Prepared, using client: SoftAPClient,
                 progress: (String) -> Void) async throws -> (SoftAPSecurity, Int, SoftAPCredentials) {
        let (security, channel) = try await network(prepared, using: client, progress: progress)
        let credentials = try prepared.credentials ?? credentials(for: security, password: prepared.password)
        try credentials.check(ssid: ssid, security: security)
        return (security, channel, credentials)
    }

    /// The security and channel: given, or from the strongest scan entry with this SSID.
    private func network(_ prepared: Prepared, using client: SoftAPClient,
                         progress: (String) -> Void) async throws -> (SoftAPSecurity, Int) {
        if let network = prepared.network { return (network.security, network.channel) }
        let shown = UntrustedText.escaped(ssid)
        progress("Scanning for \(shown)…")
        let match = try await client.findNetwork(ssid: ssid)
        progress("Found \(shown): \(match.security.name), channel \(match.channel), \(match.rssi) dBm")
        return (match.security, match.channel)
    }

    /// The secrets for this security type, read from stdin, a no-echo prompt, or files (`password` if already read).
    func credentials(for security: SoftAPSecurity, password known: String? = nil) throws -> SoftAPCredentials {
        if security.isOpen { return .none }
        if security.isEnterprise {
            switch enterprise.eap {
            case .tls?:
                return .tls(certificatePEM: try read(enterprise.clientCert, "--client-cert"),
                            privateKeyPEM: try read(enterprise.privateKey, "--private-key"),
                            caPEM: try enterprise.rootCA.map { try read($0, "--root-ca") },
                            outerIdentity: enterprise.outerIdentity)
            case .peap?:
                return .peap(identity: enterprise.username ?? "", password: try known ?? password(),
                             outerIdentity: enterprise.outerIdentity)
            case nil:
                throw UserError(.usage, "\"\(UntrustedText.escaped(ssid))\" is an enterprise network: add --eap peap --username NAME, or --eap tls --client-cert FILE --private-key FILE")
            }
        }
        return .password(try known ?? password())
    }

    /// From stdin or the terminal with echo off (the shared reader: only the line ending is removed).
    private func password() throws -> String {
        guard passwordStdin else {
            let password = try Prompt.ask("Wi-Fi password for \(ssid): ", secret: true, hint: "use --password-stdin")
            guard !password.isEmpty else { throw UserError(.usage, "no password entered") }
            return password
        }
        guard let password = try StandardInput().nextLine() else {
            throw UserError(.usage, "--password-stdin: nothing on stdin; pipe the password in, e.g. from a secrets file")
        }
        guard !password.isEmpty else { throw UserError(.usage, "--password-stdin: the password line is empty") }
        return password
    }

    private func read(_ path: String?, _ flag: String) throws -> String {
        guard let path else { throw UserError(.usage, "\(flag) is needed") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError(.io, "cannot read \(flag) file \(path); check the path and its permissions")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `--security` for SoftAP: a WICED name, checked in `validate` (so the message lists every accepted name).
struct SoftAPSecurityName: WiFiSecurityArgument {
    var text: String

    init?(argument: String) { text = argument }

    static var securityHelp: String {
        "Security type (e.g. open, wep_psk, wpa_aes, wpa2_aes, wpa2_mixed, wpa2_enterprise); without it the device scans and the matching network's security and channel are used."
    }
}
