import ArgumentParser

/// The type a command parses `--security` into (each link has its own vocabulary: the listening-mode console's
/// choices, SoftAP's WICED names, provisioning's link-neutral names), with that command's help for it.
public protocol WiFiSecurityArgument: ExpressibleByArgument, Sendable {
    /// The help text of `--security` for the commands that take this type.
    static var securityHelp: String { get }
}

/// The Wi-Fi network a device is to join, with one set of option names for every command that takes one
/// (`serial wifi`, `softap configure`, `softap setup`, `provision`): `--ssid`, `--security`, `--password-stdin`.
/// The password itself is never an option: it comes from stdin or a prompt without echo. Each command says whether
/// `--ssid` is required (and asks for it on a terminal when it is not).
public struct WiFiOptions<Security: WiFiSecurityArgument>: ParsableArguments, Sendable {
    public init() {}

    @Option(help: ArgumentHelp("The Wi-Fi network's name.", valueName: "ssid"))
    public var ssid: String?

    @Option(help: ArgumentHelp(Security.securityHelp, valueName: "security"))
    public var security: Security?

    @Flag(help: """
        Read the Wi-Fi password (or the enterprise password) from a line of stdin; otherwise it is asked for \
        without echo on a terminal.
        """)
    public var passwordStdin = false
}

/// WPA Enterprise: how the device authenticates.
public enum EAPMethod: String, CaseIterable, Sendable, ExpressibleByArgument {
    case peap, tls

    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// WPA Enterprise credentials (`serial wifi`, `softap configure`, `softap setup`), one set of names:
/// `--eap`, `--username`, `--outer-identity`, `--client-cert`, `--private-key`, `--root-ca`. The spellings SoftAP
/// used before (`--identity`, `--certificate`, `--ca`) still work as hidden, deprecated aliases, so that a factory
/// script written for them does not break.
public struct WiFiEnterpriseOptions: ParsableArguments, Sendable {
    public init() {}

    @Option(help: ArgumentHelp("Enterprise networks: the EAP method.", valueName: "method"))
    public var eap: EAPMethod?

    @Option(name: .customLong("username"),
            help: ArgumentHelp("Enterprise (PEAP): the user name (inner identity).", valueName: "name"))
    var usernameValue: String?
    @Option(name: .customLong("identity"), help: ArgumentHelp("Deprecated spelling of --username.", visibility: .hidden))
    var identityAlias: String?

    @Option(help: ArgumentHelp("Enterprise: the outer (anonymous) identity (optional).", valueName: "identity"))
    public var outerIdentity: String?

    @Option(name: .customLong("client-cert"),
            help: ArgumentHelp("Enterprise (TLS): the client certificate, a PEM file.", valueName: "file"))
    var clientCertValue: String?
    @Option(name: .customLong("certificate"),
            help: ArgumentHelp("Deprecated spelling of --client-cert.", visibility: .hidden))
    var certificateAlias: String?

    @Option(help: ArgumentHelp("Enterprise (TLS): the client's private key, a PEM file.", valueName: "file"))
    public var privateKey: String?

    @Option(name: .customLong("root-ca"),
            help: ArgumentHelp("Enterprise: the root CA certificate, a PEM file (optional).", valueName: "file"))
    var rootCAValue: String?
    @Option(name: .customLong("ca"), help: ArgumentHelp("Deprecated spelling of --root-ca.", visibility: .hidden))
    var caAlias: String?

    /// `--username` (or the deprecated `--identity`).
    public var username: String? { usernameValue ?? identityAlias }
    /// `--client-cert` (or the deprecated `--certificate`).
    public var clientCert: String? { clientCertValue ?? certificateAlias }
    /// `--root-ca` (or the deprecated `--ca`).
    public var rootCA: String? { rootCAValue ?? caAlias }

    /// The deprecated spellings, each beside the option it stands for.
    public static let deprecatedAliases = [("identity", "username"), ("certificate", "client-cert"), ("ca", "root-ca")]

    public func validate() throws {
        let pairs: [(String?, String?)] = [(identityAlias, usernameValue), (certificateAlias, clientCertValue),
                                           (caAlias, rootCAValue)]
        for ((old, new), (oldValue, newValue)) in zip(Self.deprecatedAliases, pairs) where oldValue != nil && newValue != nil {
            throw ValidationError("--\(old) is the deprecated spelling of --\(new): give only --\(new)")
        }
    }
}
