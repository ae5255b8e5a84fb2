import ParticleCore
import ParticleFirmware
import ParticleProvisioning

/// Turns the tree of a profile (file and flags) into a `StationProfile`: overrides applied first, then secrets
/// refused, unknown keys and wrong types reported with the file and key (or the flag), values checked by the
/// project's own rules, and finally the rules between keys. Pure.
struct ProfileReader {
    /// The file's name for messages about the whole profile; nil without a file.
    let source: String?

    static func read(tree: ProfileTree, source: String?, overrides: [ProfileOverride]) throws(ProfileError) -> StationProfile {
        let reader = ProfileReader(source: source)
        guard case .mapping = tree else {
            throw ProfileError("\(source ?? "the profile"): the profile must be a map of keys (product, wifi, …), not \(describe(tree))")
        }
        var merged = tree
        var listsSet: Set<String> = []
        for override in overrides {
            guard let key = ProfileSchema.key(override.keyPath), key.flag != nil else {
                if let advice = ProfileSchema.secretAdvice(forKey: override.keyPath.split(separator: ".").last.map(String.init) ?? "") {
                    throw ProfileError("\(override.flag): secrets never live in the profile; \(advice)")
                }
                throw ProfileError("\(override.flag): '\(override.keyPath)' is not a profile key that a flag can set")
            }
            merged = merged.setting(override, appendingToList: listsSet.contains(key.path), listKey: key.isList,
                                    dropping: ProfileSchema.alternative(to: key.path))
            if key.isList { listsSet.insert(key.path) }
        }
        try reader.refuseSecrets(merged, path: "")
        return try reader.profile(merged)
    }

    // MARK: Messages

    /// `station.yaml: 'timeouts.online'` for a value from the file, `--online-timeout` for one from a flag.
    static func subject(_ path: String, _ origin: ProfileOrigin) -> String {
        switch origin {
        case .file(let file): "\(file): '\(path)'"
        case .flag(let flag): flag
        }
    }

    /// How a wrong value is quoted in a message: a scalar's text in quotes (escaped, at most 40 characters), else
    /// what kind of value it is.
    static func describe(_ tree: ProfileTree) -> String {
        switch tree {
        case .scalar(let text, _, _):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "\"\(UntrustedText.escaped(shown))\""
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .null: return "empty"
        }
    }

    func wrongType(_ path: String, _ tree: ProfileTree, must expectation: String) -> ProfileError {
        ProfileError("\(Self.subject(path, tree.origin)) must be \(expectation), not \(Self.describe(tree))")
    }

    /// A key missing from a map: named with the map's origin, and the flag that could give it.
    func missing(_ key: String, in map: String, origin: ProfileOrigin, meaning: String) -> ProfileError {
        let path = map.isEmpty ? key : "\(map).\(key)"
        let flag = ProfileSchema.key(path)?.flag
        switch origin {
        case .file(let file):
            return ProfileError("\(file): '\(map)' needs '\(key)' (\(meaning))" + (flag.map { "; add it or pass \($0)" } ?? ""))
        case .flag(let given):
            return ProfileError("\(given) needs \(flag ?? "'\(path)'") (\(meaning))")
        }
    }

    // MARK: Secrets and unknown keys

    /// A key that would hold a secret, anywhere in the tree, is refused before anything else is looked at.
    func refuseSecrets(_ tree: ProfileTree, path: String) throws(ProfileError) {
        switch tree {
        case .mapping(let members, _):
            for (key, value) in members {
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                if let advice = ProfileSchema.secretAdvice(forKey: key) {
                    throw ProfileError("\(Self.subject(keyPath, value.origin)) would hold a secret, and secrets never live in the profile: \(advice)")
                }
                try refuseSecrets(value, path: keyPath)
            }
        case .sequence(let items, _):
            for (index, item) in items.enumerated() { try refuseSecrets(item, path: "\(path)[\(index + 1)]") }
        case .scalar, .null:
            break
        }
    }

    /// The members of a map after checking that each key is one it takes. `schemaMap` is the schema's name of the
    /// map (`acceptance[]`), `path` its name in messages (`acceptance[2]`).
    func members(_ tree: ProfileTree, path: String, schemaMap: String, must expectation: String)
        throws(ProfileError) -> [String: ProfileTree] {
        guard case .mapping(let members, _) = tree else { throw wrongType(path, tree, must: expectation) }
        let allowed = ProfileSchema.members(of: schemaMap)
        var result: [String: ProfileTree] = [:]
        for (key, value) in members {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let suggestion = ProfileSchema.suggestion(for: key, in: schemaMap, itemPath: path)
                let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                switch value.origin {
                case .file(let file): throw ProfileError("\(file): unknown key '\(keyPath)'\(hint)")
                case .flag(let flag): throw ProfileError("\(flag): unknown key '\(keyPath)'\(hint)")
                }
            }
            if case .null = value { continue }
            result[key] = value
        }
        return result
    }

    // MARK: Scalars

    func text(_ tree: ProfileTree, _ path: String, must expectation: String) throws(ProfileError) -> String {
        guard case .scalar(let text, _, _) = tree, !text.isEmpty else { throw wrongType(path, tree, must: expectation) }
        return text
    }

    func number(_ tree: ProfileTree, _ path: String, in range: ClosedRange<Int>, meaning: String) throws(ProfileError) -> Int {
        guard case .scalar(let text, _, _) = tree, let value = Int(text), range.contains(value) else {
            throw wrongType(path, tree, must: "\(meaning) from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func seconds(_ tree: ProfileTree, _ path: String) throws(ProfileError) -> Double {
        guard case .scalar(let text, _, _) = tree, Double(text) != nil else {
            throw wrongType(path, tree, must: "a number of seconds")
        }
        guard let seconds = try? Seconds(parsing: text) else {
            throw wrongType(path, tree, must: "a number of seconds from \(Seconds.minimum) to \(Int(Seconds.maximum)) (one day)")
        }
        return seconds.value
    }

    func bool(_ tree: ProfileTree, _ path: String) throws(ProfileError) -> Bool {
        if case .scalar(let text, _, _) = tree {
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        throw wrongType(path, tree, must: "true or false")
    }

    // MARK: The profile

    func profile(_ tree: ProfileTree) throws(ProfileError) -> StationProfile {
        let top = try members(tree, path: "", schemaMap: "", must: "a map of keys")
        var profile = StationProfile()
        if let node = top["product"] {
            let product = try text(node, "product", must: "a product ID or slug")
            guard product.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw wrongType("product", node, must: "a product ID or slug (letters, digits, - and _)")
            }
            profile.product = product
        }
        if let node = top["customer"] {
            let customer = try text(node, "customer", must: "the customer's email address")
            guard customer.contains("@"), !customer.contains(where: \.isWhitespace) else {
                throw wrongType("customer", node, must: "the customer's email address")
            }
            profile.customer = customer
        }
        if let node = top["client_id"] {
            profile.clientID = try text(node, "client_id", must: "the product's OAuth client ID")
        }
        try readOwner(top, into: &profile)
        if let node = top["wifi"] { profile.wifi = try wifi(node) }
        if let node = top["name_template"] {
            let template = try text(node, "name_template", must: "a name template such as widget-{seq:05}")
            do {
                let parsed = try NameTemplate(parsing: template)
                _ = try parsed.render(1)
                profile.nameTemplate = parsed
            } catch {
                throw ProfileError("\(Self.subject("name_template", node.origin)): \(error.message)")
            }
        }
        if let node = top["firmware"] { profile.firmware = try firmware(node) }
        if let node = top["acceptance"] { profile.acceptance = try acceptance(node) }
        if let node = top["timeouts"] { profile.timeouts = try timeouts(node) }
        if let node = top["retries"] {
            profile.retries = try number(node, "retries", in: 0...StationProfile.maximumRetries, meaning: "a whole number")
        }
        if let node = top["usb_paths"] { profile.usbPaths = try usbPaths(node) }
        if let node = top["hooks"] { profile.hooks = try hooks(node) }
        return profile
    }

    private func readOwner(_ top: [String: ProfileTree], into profile: inout StationProfile) throws(ProfileError) {
        let ownerNode = top["owner"]
        if let ownerNode {
            guard case .scalar(let text, _, _) = ownerNode, let owner = StationProfile.Owner(rawValue: text) else {
                throw wrongType("owner", ownerNode, must: "user, product or customer")
            }
            profile.owner = owner
        } else if profile.customer != nil {
            profile.owner = .customer
        }
        // Named after the owner key when given, else after the customer that implied it.
        let subjectNode = ownerNode ?? top["customer"]
        let subject = subjectNode.map { Self.subject("owner", $0.origin) } ?? "\(source ?? "the profile"): 'owner'"
        func need(_ keys: [(String, Bool)]) throws(ProfileError) {
            let absent = keys.filter { !$0.1 }.map { key in
                "'\(key.0)'" + (ProfileSchema.key(key.0)?.flag.map { " (\($0))" } ?? "")
            }
            if !absent.isEmpty {
                throw ProfileError("\(subject) \(profile.owner.rawValue) needs \(absent.joined(separator: " and "))")
            }
        }
        switch profile.owner {
        case .customer:
            try need([("product", profile.product != nil), ("customer", profile.customer != nil),
                      ("client_id", profile.clientID != nil)])
        case .product:
            try need([("product", profile.product != nil)])
        case .user:
            break
        }
        if profile.owner != .customer {
            for key in ["customer", "client_id"] {
                if let node = top[key] {
                    throw ProfileError("\(Self.subject(key, node.origin)) is only for owner customer (the owner is \(profile.owner.rawValue))")
                }
            }
        }
    }

    private func wifi(_ tree: ProfileTree) throws(ProfileError) -> StationProfile.WiFi {
        let map = try members(tree, path: "wifi", schemaMap: "wifi", must: "a map (ssid, security, password_env or password_file)")
        guard let ssidNode = map["ssid"] else {
            throw missing("ssid", in: "wifi", origin: tree.origin, meaning: "the name of the network the devices join")
        }
        let ssid = try text(ssidNode, "wifi.ssid", must: "the network's name")
        guard ssid.utf8.count <= 32, !ssid.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw wrongType("wifi.ssid", ssidNode, must: "a network name of at most 32 bytes on one line")
        }
        var wifi = StationProfile.WiFi(ssid: ssid)
        if let node = map["security"] {
            guard case .scalar(let text, _, _) = node, let security = NetworkSecurity(parsing: text) else {
                throw wrongType("wifi.security", node, must: "one of \(NetworkSecurity.acceptedNames.joined(separator: ", "))")
            }
            wifi.security = security
        }
        if let envNode = map["password_env"], let fileNode = map["password_file"] {
            let sameOrigin = envNode.origin == fileNode.origin
            throw ProfileError("\(Self.subject("wifi.password_env", envNode.origin)) and \(sameOrigin ? "'wifi.password_file'" : Self.subject("wifi.password_file", fileNode.origin)) are alternatives; give one")
        }
        if let node = map["password_env"] {
            // Never quote the value: a password typed here by mistake must not reach a terminal or a log.
            guard case .scalar(let name, _, _) = node, Self.isEnvironmentName(name) else {
                throw ProfileError("\(Self.subject("wifi.password_env", node.origin)) must be the NAME of an environment variable holding the password (letters, digits and _, not starting with a digit), not the password itself")
            }
            wifi.passwordEnvironment = name
        }
        if let node = map["password_file"] {
            wifi.passwordFile = try text(node, "wifi.password_file", must: "the path of a file holding the password")
        }
        return wifi
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    private func firmware(_ tree: ProfileTree) throws(ProfileError) -> StationProfile.Firmware {
        let map = try members(tree, path: "firmware", schemaMap: "firmware", must: "a map (name, target, verify)")
        guard let nameNode = map["name"] else {
            throw missing("name", in: "firmware", origin: tree.origin, meaning: "a bundled firmware")
        }
        let names = BundledFirmware.all.map(\.name).joined(separator: ", ")
        guard case .scalar(let given, _, _) = nameNode, let bundled = BundledFirmware.named(given) else {
            throw wrongType("firmware.name", nameNode, must: "a bundled firmware (\(names))")
        }
        var firmware = StationProfile.Firmware(name: bundled.name)
        if let node = map["target"] {
            let target = try text(node, "firmware.target", must: "a Device OS version such as 5.8.0")
            guard Self.isVersion(target) else { throw wrongType("firmware.target", node, must: "a Device OS version such as 5.8.0") }
            firmware.target = target
        }
        if let node = map["verify"] { firmware.verify = try bool(node, "firmware.verify") }
        return firmware
    }

    /// `5.8.0`, `6.2.1-rc.1`.
    static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard let core = parts.first else { return false }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return false
        }
        return parts.count == 1 || parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }
    }

    private func acceptance(_ tree: ProfileTree) throws(ProfileError) -> [StationProfile.Acceptance] {
        guard case .sequence(let items, _) = tree else {
            throw wrongType("acceptance", tree, must: "a list of checks (- function: … or - variable: …)")
        }
        var checks: [StationProfile.Acceptance] = []
        for (index, item) in items.enumerated() {
            let path = "acceptance[\(index + 1)]"
            let map = try members(item, path: path, schemaMap: "acceptance[]", must: "a map (function, argument, expect or variable, expect)")
            switch (map["function"], map["variable"]) {
            case (let function?, nil):
                let name = try text(function, "\(path).function", must: "a function's name")
                guard name.count <= 64 else { throw wrongType("\(path).function", function, must: "a function name of at most 64 characters") }
                var argument = ""
                if let node = map["argument"] {
                    guard case .scalar(let text, _, _) = node else { throw wrongType("\(path).argument", node, must: "text") }
                    argument = text
                }
                var expect: Int?
                if let node = map["expect"] {
                    guard case .scalar(let text, _, _) = node, let value = Int(text) else {
                        throw wrongType("\(path).expect", node, must: "a whole number (the function's return value)")
                    }
                    expect = value
                }
                checks.append(.function(name: name, argument: argument, expect: expect))
            case (nil, let variable?):
                let name = try text(variable, "\(path).variable", must: "a variable's name")
                if let node = map["argument"] {
                    throw ProfileError("\(Self.subject("\(path).argument", node.origin)) is only for a function check")
                }
                var expect: JSONValue?
                if let node = map["expect"] {
                    guard case .scalar(let text, let quoted, _) = node else {
                        throw wrongType("\(path).expect", node, must: "a single value (text, number or true/false)")
                    }
                    expect = Self.jsonValue(text, quoted: quoted)
                }
                checks.append(.variable(name: name, expect: expect))
            case (_?, _?):
                throw ProfileError("\(Self.subject(path, item.origin)) has both 'function' and 'variable'; give one check per item")
            case (nil, nil):
                throw ProfileError("\(Self.subject(path, item.origin)) needs 'function' or 'variable'")
            }
        }
        return checks
    }

    /// A variable's expected value: quoted text is text; otherwise true/false, a number, or text.
    static func jsonValue(_ text: String, quoted: Bool) -> JSONValue {
        if quoted { return .string(text) }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        return isJSONNumber(text) ? .number(text) : .string(text)
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ text: String) -> Bool {
        var rest = Substring(text)
        func digits() -> Int {
            let count = rest.prefix { $0.isASCII && $0.isNumber }.count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == "-" { rest = rest.dropFirst() }
        let leadingZero = rest.first == "0"
        let integer = digits()
        guard integer > 0, !(leadingZero && integer > 1) else { return false }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard digits() > 0 else { return false }
        }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }

    private func timeouts(_ tree: ProfileTree) throws(ProfileError) -> StationProfile.Timeouts {
        let map = try members(tree, path: "timeouts", schemaMap: "timeouts", must: "a map of seconds (identify, online, flash, hook)")
        var timeouts = StationProfile.Timeouts()
        if let node = map["identify"] { timeouts.identify = try seconds(node, "timeouts.identify") }
        if let node = map["online"] { timeouts.online = try seconds(node, "timeouts.online") }
        if let node = map["flash"] { timeouts.flash = try seconds(node, "timeouts.flash") }
        if let node = map["hook"] { timeouts.hook = try seconds(node, "timeouts.hook") }
        return timeouts
    }

    private func usbPaths(_ tree: ProfileTree) throws(ProfileError) -> [String] {
        guard case .sequence(let items, _) = tree else {
            throw wrongType("usb_paths", tree, must: "a list of USB paths such as [\"1-1.*\"]")
        }
        if items.isEmpty {
            throw ProfileError("\(Self.subject("usb_paths", tree.origin)) is empty: leave it out to allow every USB path")
        }
        var paths: [String] = []
        for (index, item) in items.enumerated() {
            let path = "usb_paths[\(index + 1)]"
            let glob = try text(item, path, must: "a USB path or glob such as 1-1.*")
            guard !glob.contains(where: \.isWhitespace) else { throw wrongType(path, item, must: "a USB path or glob such as 1-1.*") }
            paths.append(glob)
        }
        return paths
    }

    private func hooks(_ tree: ProfileTree) throws(ProfileError) -> StationProfile.Hooks {
        let map = try members(tree, path: "hooks", schemaMap: "hooks", must: "a map (on_done, on_failed)")
        var hooks = StationProfile.Hooks()
        if let node = map["on_done"] { hooks.onDone = try text(node, "hooks.on_done", must: "a shell command") }
        if let node = map["on_failed"] { hooks.onFailed = try text(node, "hooks.on_failed", must: "a shell command") }
        return hooks
    }
}
