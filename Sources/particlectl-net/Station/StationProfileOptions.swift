import ArgumentParser
import ParticleCLISupport
import ParticleCore
import ParticleStation

/// `--profile FILE` and one flag per profile key. Each flag becomes a `ProfileOverride`, applied on top of the file
/// before validation, so a flag gets the same checks and messages as the key it sets. Values are kept as typed
/// (timeouts too): the profile's rules, not ArgumentParser's, judge them.
public struct StationProfileOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("profile"), help: ArgumentHelp(
        "The station profile (YAML; `particlectl station init` writes an example). Flags override its keys.",
        valueName: "file"), completion: .file(extensions: ["yaml", "yml"]))
    public var profilePath: String?

    @Option(help: ArgumentHelp("Product ID or slug; devices are imported into it (profile: product).", valueName: "id-or-slug"))
    var product: String?
    @Option(help: ArgumentHelp("Who owns each device: user, product or customer (profile: owner; default user, or customer with --customer).",
                               valueName: "owner"))
    var owner: String?
    @Option(help: ArgumentHelp("The product customer who owns each device; needs --product and --client-id, secret from PARTICLE_CLIENT_SECRET (profile: customer).",
                               valueName: "email"))
    var customer: String?
    @Option(name: .customLong("client-id"), help: ArgumentHelp("The product's OAuth client ID, to act for the customer (profile: client_id).", valueName: "id"))
    var clientID: String?

    @Option(help: ArgumentHelp("Wi-Fi network every device joins (profile: wifi.ssid).", valueName: "ssid"))
    var ssid: String?
    @Option(help: ArgumentHelp("Wi-Fi security: none, wep, wpa, wpa2, wpa3, or wpa_aes, wpa2_tkip, wpa2_mixed …; by default the device decides (profile: wifi.security).",
                               valueName: "security"))
    var security: String?
    @Option(name: .customLong("password-env"), help: ArgumentHelp(
        "Name of the environment variable holding the Wi-Fi password (profile: wifi.password_env).", valueName: "name"))
    var passwordEnvironment: String?
    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        "File holding the Wi-Fi password; must be yours and mode 0600 or 0400 (profile: wifi.password_file).", valueName: "path"),
        completion: .file())
    var passwordFile: String?
    @Flag(name: .customLong("password-stdin"), help: "Read the Wi-Fi password from the first line of stdin (before the station starts).")
    public var passwordStdin = false

    @Option(name: .customLong("name-template"), help: ArgumentHelp(
        "Device names with a sequence number the ledger allocates: {seq} or {seq:0N}, e.g. widget-{seq:05} (profile: name_template).",
        valueName: "template"))
    var nameTemplate: String?
    @Option(help: ArgumentHelp("Bundled firmware to flash and verify: functionVar, functionVarPub (profile: firmware.name).", valueName: "name"))
    var firmware: String?
    @Option(name: .customLong("firmware-target"), help: ArgumentHelp(
        "Device OS version to build the firmware against, e.g. 5.8.0 (profile: firmware.target).", valueName: "version"))
    var firmwareTarget: String?
    @Flag(name: .customLong("no-verify"), help: "Flash the firmware without verifying it (profile: firmware.verify: false).")
    var noVerify = false

    @Option(name: .customLong("identify-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Seconds to wait for each answer of a device (profile: timeouts.identify; default 5).", valueName: "seconds"))
    var identifyTimeout: String?
    @Option(name: .customLong("online-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Seconds to wait for a device to come online (profile: timeouts.online; default 90).", valueName: "seconds"))
    var onlineTimeout: String?
    @Option(name: .customLong("flash-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Seconds to wait for a flash to finish (profile: timeouts.flash; default 120).", valueName: "seconds"))
    var flashTimeout: String?
    @Option(name: .customLong("hook-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Seconds an on-done/on-failed hook may run (profile: timeouts.hook; default 10).", valueName: "seconds"))
    var hookTimeout: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Extra tries per step that can be retried, 0–10 (profile: retries; default 0).", valueName: "n"))
    var retries: String?

    @Option(name: .customLong("usb-path"), help: ArgumentHelp(
        "USB path (fnmatch glob, e.g. '1-1.*') devices are taken from; repeatable, replaces the profile's list (profile: usb_paths).",
        valueName: "glob"))
    var usbPaths: [String] = []
    @Option(name: .customLong("on-done"), help: ArgumentHelp(
        "Command run through /bin/sh -c after a device is done, its ledger record as JSON on stdin (profile: hooks.on_done).",
        valueName: "command"))
    var onDone: String?
    @Option(name: .customLong("on-failed"), help: ArgumentHelp(
        "Command run through /bin/sh -c after a device failed, its ledger record as JSON on stdin (profile: hooks.on_failed).",
        valueName: "command"))
    var onFailed: String?

    public func validate() throws {
        if passwordStdin && (passwordEnvironment != nil || passwordFile != nil) {
            throw ValidationError("--password-stdin, --password-env and --password-file are alternatives; give one")
        }
        if passwordEnvironment != nil && passwordFile != nil {
            throw ValidationError("--password-env and --password-file are alternatives; give one")
        }
    }

    /// The flags given, as overrides in a fixed order (the order of the profile's keys).
    public var overrides: [ProfileOverride] {
        var result: [ProfileOverride] = []
        func add(_ value: String?, _ keyPath: String, _ flag: String) {
            if let value { result.append(ProfileOverride(keyPath: keyPath, value: value, flag: flag)) }
        }
        add(product, "product", "--product")
        add(owner, "owner", "--owner")
        add(customer, "customer", "--customer")
        add(clientID, "client_id", "--client-id")
        add(ssid, "wifi.ssid", "--ssid")
        add(security, "wifi.security", "--security")
        add(passwordEnvironment, "wifi.password_env", "--password-env")
        add(passwordFile, "wifi.password_file", "--password-file")
        add(nameTemplate, "name_template", "--name-template")
        add(firmware, "firmware.name", "--firmware")
        add(firmwareTarget, "firmware.target", "--firmware-target")
        add(noVerify ? "false" : nil, "firmware.verify", "--no-verify")
        add(identifyTimeout, "timeouts.identify", "--identify-timeout")
        add(onlineTimeout, "timeouts.online", "--online-timeout")
        add(flashTimeout, "timeouts.flash", "--flash-timeout")
        add(hookTimeout, "timeouts.hook", "--hook-timeout")
        add(retries, "retries", "--retries")
        for path in usbPaths { add(path, "usb_paths", "--usb-path") }
        add(onDone, "hooks.on_done", "--on-done")
        add(onFailed, "hooks.on_failed", "--on-failed")
        return result
    }

    /// The profile file with the flags applied, validated as a whole (a usage error, exit 2, otherwise).
    public func profile() throws -> StationProfile {
        try StationProfile.load(path: profilePath, overrides: overrides)
    }

    /// The Wi-Fi password: with --password-stdin the next line of `input` (read once, here), else what the profile
    /// names (environment variable or 0600 file). Checked against the network's security.
    public func wifiPassword(for profile: StationProfile, input: StandardInput,
                             environment: [String: String]) throws -> String? {
        var stdinPassword: String?
        if passwordStdin {
            guard profile.wifi != nil else {
                throw UserError(.usage, "--password-stdin needs a network: pass --ssid or set wifi.ssid in the profile")
            }
            guard let line = try input.nextLine() else {
                throw UserError(.usage, "--password-stdin given but stdin held no password line")
            }
            stdinPassword = line
        }
        return try StationSecret.wifiPassword(profile: profile, stdinPassword: stdinPassword, environment: environment)
    }
}
