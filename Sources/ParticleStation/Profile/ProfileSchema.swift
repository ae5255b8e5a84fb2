/// Every key of the station profile, the flag that overrides it, and which maps take which keys: the one list the
/// reader, the suggestions for a near miss, the CLI and the documentation test agree on.
public enum ProfileSchema {
    public struct Key: Sendable, Equatable {
        /// Dotted path; `acceptance[]` stands for every item of the list.
        public var path: String
        /// The flag that overrides it, nil when none does (acceptance checks, section maps).
        public var flag: String?
        /// A list key: its flag is repeatable, the first use replaces the list.
        public var isList: Bool
    }

    public static let keys: [Key] = [
        Key(path: "product", flag: "--product", isList: false),
        Key(path: "owner", flag: "--owner", isList: false),
        Key(path: "customer", flag: "--customer", isList: false),
        Key(path: "client_id", flag: "--client-id", isList: false),
        Key(path: "wifi", flag: nil, isList: false),
        Key(path: "wifi.ssid", flag: "--ssid", isList: false),
        Key(path: "wifi.security", flag: "--security", isList: false),
        Key(path: "wifi.password_env", flag: "--password-env", isList: false),
        Key(path: "wifi.password_file", flag: "--password-file", isList: false),
        Key(path: "name_template", flag: "--name-template", isList: false),
        Key(path: "firmware", flag: nil, isList: false),
        Key(path: "firmware.name", flag: "--firmware", isList: false),
        Key(path: "firmware.target", flag: "--firmware-target", isList: false),
        Key(path: "firmware.verify", flag: "--no-verify", isList: false),
        Key(path: "acceptance", flag: nil, isList: true),
        Key(path: "acceptance[].function", flag: nil, isList: false),
        Key(path: "acceptance[].argument", flag: nil, isList: false),
        Key(path: "acceptance[].variable", flag: nil, isList: false),
        Key(path: "acceptance[].expect", flag: nil, isList: false),
        Key(path: "timeouts", flag: nil, isList: false),
        Key(path: "timeouts.identify", flag: "--identify-timeout", isList: false),
        Key(path: "timeouts.online", flag: "--online-timeout", isList: false),
        Key(path: "timeouts.flash", flag: "--flash-timeout", isList: false),
        Key(path: "timeouts.hook", flag: "--hook-timeout", isList: false),
        Key(path: "retries", flag: "--retries", isList: false),
        Key(path: "usb_paths", flag: "--usb-path", isList: true),
        Key(path: "hooks", flag: nil, isList: false),
        Key(path: "hooks.on_done", flag: "--on-done", isList: false),
        Key(path: "hooks.on_failed", flag: "--on-failed", isList: false),
    ]

    public static func key(_ path: String) -> Key? { keys.first { $0.path == path } }

    /// The keys a map takes: `""` is the top level, `acceptance[]` an acceptance check.
    static func members(of map: String) -> [String] {
        let prefix = map.isEmpty ? "" : map + "."
        return keys.compactMap { key in
            guard key.path.hasPrefix(prefix) else { return nil }
            let rest = key.path.dropFirst(prefix.count)
            return rest.contains(".") || rest.contains("[") ? nil : String(rest)
        }
    }

    /// Keys the two alternatives of the Wi-Fi password: setting one drops the other.
    static func alternative(to path: String) -> String? {
        switch path {
        case "wifi.password_env": "password_file"
        case "wifi.password_file": "password_env"
        default: nil
        }
    }

    /// A key that would hold a secret, and where that secret goes instead; nil for any other key.
    static func secretAdvice(forKey name: String) -> String? {
        let key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if key == "password_env" || key == "password_file" { return nil }
        if key == "password" || key == "psk" || key.hasSuffix("_password") || key.hasPrefix("password") {
            return "put the Wi-Fi password in an environment variable named by 'wifi.password_env', in a file " +
                "(mode 0600) named by 'wifi.password_file', or pipe it with --password-stdin"
        }
        if key == "token" || key.hasSuffix("_token") {
            return "the station takes the usual access token (--token-stdin, PARTICLE_AUTH or `particlectl login`; " +
                "an API user's non-expiring scoped token is best)"
        }
        if key == "secret" || key.hasSuffix("_secret") {
            return "the product's client secret comes from PARTICLE_CLIENT_SECRET or --secret-stdin"
        }
        return nil
    }

    /// The known key nearest to `name` among `candidates` (same map), or a key of that exact name elsewhere in the
    /// profile (`ssid` at the top → `wifi.ssid`); nil when nothing is close.
    static func suggestion(for name: String, in map: String, itemPath: String) -> String? {
        let normalized = normalize(name)
        let prefix = itemPath.isEmpty ? "" : itemPath + "."
        var best: (key: String, distance: Int)?
        for candidate in members(of: map) {
            let distance = editDistance(normalized, normalize(candidate))
            if distance <= max(1, min(3, candidate.count / 3)), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return prefix + best.key }
        // The same name in another map (not inside acceptance items, which need their index).
        for key in keys where !key.path.contains("[") {
            let last = key.path.split(separator: ".").last.map(String.init) ?? key.path
            if normalize(last) == normalized, key.path != prefix + name { return key.path }
        }
        return nil
    }

    private static func normalize(_ text: String) -> String {
        text.lowercased().filter { $0 != "_" && $0 != "-" }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}
