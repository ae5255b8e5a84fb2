import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleSerial
import ParticleUSB

/// The network and its credentials for `usb wifi add|join`. The password is read from stdin (--password-stdin) or
/// asked without echo on a terminal; never an argument, never printed. The same rules as `serial wifi` apply.
struct USBWiFiCredentialOptions: ParsableArguments {
    enum Security: String, ExpressibleByArgument, CaseIterable {
        case none, wep, wpa, wpa2, wpa3
        case wpaWPA2 = "wpa-wpa2"
        case wpa2WPA3 = "wpa2-wpa3"

        var wire: USBWiFiSecurity {
            switch self {
            case .none: .none
            case .wep: .wep
            case .wpa: .wpaPSK
            case .wpa2: .wpa2PSK
            case .wpa3: .wpa3PSK
            case .wpaWPA2: .wpaWPA2PSK
            case .wpa2WPA3: .wpa2WPA3PSK
            }
        }

        /// The listening-mode equivalent, for the shared password rules.
        var console: WiFiSecurity {
            switch self {
            case .none: .unsecured
            case .wep: .wep
            case .wpa, .wpaWPA2: .wpa
            case .wpa2: .wpa2
            case .wpa3, .wpa2WPA3: .wpa3
            }
        }
    }

    @Option(help: ArgumentHelp("The network name.", valueName: "name"))
    var ssid: String

    @Option(help: ArgumentHelp("none, wep, wpa, wpa2, wpa3, wpa-wpa2 or wpa2-wpa3 (default: wpa2 with a password, none without).", valueName: "type"))
    var security: Security?

    @Flag(help: "Read the password from the first line of stdin.")
    var passwordStdin = false

    @Flag(help: "The network does not broadcast its name (the device then trusts --security).")
    var hidden = false

    @Flag(help: "An open network: no password is read or asked.")
    var noPassword = false

    func validate() throws {
        if passwordStdin && noPassword { throw ValidationError("--password-stdin and --no-password cannot be combined") }
        if security == Security.none && passwordStdin { throw ValidationError("--security none takes no password") }
        try RawArguments.requireUTF8("--ssid")
    }

    /// Reads the password (when the network needs one) and checks every value before anything is sent.
    func credentials() throws -> USBWiFiCredentials {
        var password: String?
        let open = noPassword || security == Security.none
        if !open {
            if passwordStdin {
                guard let line = try StandardInput().nextLine(), !line.isEmpty else {
                    throw UserError(.usage, "--password-stdin: stdin is empty — pipe the password in")
                }
                password = line
            } else if Prompt.isInteractive {
                password = try Prompt.ask("Password for \(ssid)", secret: true, hint: "")
            } else {
                throw UserError(.usage, "a password is needed: use --password-stdin (or --no-password for an open network)")
            }
        }
        let chosen = security ?? (password == nil ? Security.none : .wpa2)
        let check = WiFiCredentials(ssid: ssid, security: chosen.console, password: password)
        if let problem = check.problem() { throw UserError(.usage, problem) }
        return USBWiFiCredentials(ssid: ssid, security: chosen.wire, password: password, hidden: hidden)
    }
}
