import Crypto
import Foundation
import Glibc
import ParticleCore
import ParticleProvisioning

/// What a factory station does to every device: the owner, the network, the name, the firmware, the acceptance
/// checks, the limits. Read from one YAML file (`station.yaml`) with flags applied on top; see
/// docs/station-profile.md for every key. Holds no secret: the Wi-Fi password comes through `StationSecret`.
public struct StationProfile: Sendable, Equatable {
    public enum Owner: String, Sendable, CaseIterable {
        /// Claimed by the user whose token the station uses (imported into `product` first when one is given).
        case user
        /// Imported into the product and left to it (not claimed by a user).
        case product
        /// Claimed by the product's customer (`customer`, `client_id`; the secret from PARTICLE_CLIENT_SECRET).
        case customer
    }

    public struct WiFi: Sendable, Equatable {
        public var ssid: String
        /// nil: the device decides.
        public var security: NetworkSecurity?
        /// The NAME of an environment variable holding the password.
        public var passwordEnvironment: String?
        /// A file holding the password (mode 0600 or 0400, a regular file owned by the user).
        public var passwordFile: String?

        public init(ssid: String, security: NetworkSecurity? = nil, passwordEnvironment: String? = nil,
                    passwordFile: String? = nil) {
            self.ssid = ssid
            self.security = security
            self.passwordEnvironment = passwordEnvironment
            self.passwordFile = passwordFile
        }
    }

    public struct Firmware: Sendable, Equatable {
        /// A bundled firmware's name, as the bundle spells it.
        public var name: String
        /// Device OS version to build against; nil: the cloud's default.
        public var target: String?
        public var verify: Bool

        public init(name: String, target: String? = nil, verify: Bool = true) {
            self.name = name
            self.target = target
            self.verify = verify
        }
    }

    /// A check run after provisioning, in order.
    public enum Acceptance: Sendable, Equatable {
        /// Call a function with an argument; `expect` is its return value (nil: any value).
        case function(name: String, argument: String, expect: Int?)
        /// Read a variable; `expect` nil means "must exist".
        case variable(name: String, expect: JSONValue?)
    }

    /// Seconds.
    public struct Timeouts: Sendable, Equatable {
        public var identify: Double
        public var online: Double
        public var flash: Double
        public var hook: Double

        public init(identify: Double = 5, online: Double = 90, flash: Double = 120, hook: Double = 10) {
            self.identify = identify
            self.online = online
            self.flash = flash
            self.hook = hook
        }
    }

    /// Commands run through `/bin/sh -c` with the device's ledger record as JSON on stdin.
    public struct Hooks: Sendable, Equatable {
        public var onDone: String?
        public var onFailed: String?

        public init(onDone: String? = nil, onFailed: String? = nil) {
            self.onDone = onDone
            self.onFailed = onFailed
        }
    }

    /// The most `retries` may be.
    public static let maximumRetries = 10

    public var product: String?
    public var owner: Owner
    public var customer: String?
    public var clientID: String?
    public var wifi: WiFi?
    public var nameTemplate: NameTemplate?
    public var firmware: Firmware?
    public var acceptance: [Acceptance]
    public var timeouts: Timeouts
    /// Extra tries per step that can be retried.
    public var retries: Int
    /// Allowed USB paths (fnmatch globs); empty: any.
    public var usbPaths: [String]
    public var hooks: Hooks

    /// The defaults: no file, no flags.
    public init(product: String? = nil, owner: Owner = .user, customer: String? = nil, clientID: String? = nil,
                wifi: WiFi? = nil, nameTemplate: NameTemplate? = nil, firmware: Firmware? = nil,
                acceptance: [Acceptance] = [], timeouts: Timeouts = Timeouts(), retries: Int = 0,
                usbPaths: [String] = [], hooks: Hooks = Hooks()) {
        self.product = product
        self.owner = owner
        self.customer = customer
        self.clientID = clientID
        self.wifi = wifi
        self.nameTemplate = nameTemplate
        self.firmware = firmware
        self.acceptance = acceptance
        self.timeouts = timeouts
        self.retries = retries
        self.usbPaths = usbPaths
        self.hooks = hooks
    }

    /// The largest profile file read (a profile is a few hundred bytes).
    public static let maximumFileSize = 1 << 20

    /// From the file (nil = no file: defaults only) with the overrides applied on top, then validated as a whole.
    public static func load(path: String?, overrides: [ProfileOverride]) throws(ProfileError) -> StationProfile {
        guard let path else { return try ProfileReader.read(tree: .mapping([], origin: .file("")), source: nil,
                                                             overrides: overrides) }
        let text = try ProfileFile.read(path)
        return try parse(yaml: text, source: path, overrides: overrides)
    }

    /// `source` names the file in messages (`station.yaml: unknown key …`).
    public static func parse(yaml: String, source: String, overrides: [ProfileOverride]) throws(ProfileError) -> StationProfile {
        let tree = try ProfileTree.parse(yaml: yaml, source: source)
        return try ProfileReader.read(tree: tree, source: source, overrides: overrides)
    }

    /// Whether a USB path (e.g. "1-1.3") is allowed by usb_paths (fnmatch globs; none: every path).
    public func allows(usbPath: String) -> Bool {
        usbPaths.isEmpty || usbPaths.contains { fnmatch($0, usbPath, 0) == 0 }
    }
}

// MARK: - Fingerprint

extension StationProfile {
    /// SHA-256 (hex, first 16 characters) of the canonical form of everything that decides what a device ends up
    /// as (product, owner, customer, Wi-Fi SSID and security, name template, firmware, acceptance) — not timeouts,
    /// retries, hooks, paths, the client ID or where the password comes from. The ledger stores it; a device
    /// provisioned under the same fingerprint is not redone.
    public var fingerprint: String {
        let digest = SHA256.hash(data: Data(canonicalForm.utf8))
        return String(digest.map { String(format: "%02x", $0) }.joined().prefix(16))
    }

    /// One JSON object, keys sorted, absent values as null: the same profile always gives the same text whatever
    /// the order or spelling (`WPA2-AES`, `wpa2_aes`) of its file.
    var canonicalForm: String {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        let checks: [JSONValue] = acceptance.map { check in
            switch check {
            case let .function(name, argument, expect):
                .object([("argument", .string(argument)), ("expect", expect.map { .number(String($0)) } ?? .null),
                         ("function", .string(name))])
            case let .variable(name, expect):
                .object([("expect", expect.map { .string($0.serialized) } ?? .null), ("variable", .string(name))])
            }
        }
        let firmwareValue: JSONValue = firmware.map {
            .object([("name", .string($0.name)), ("target", text($0.target)), ("verify", .bool($0.verify))])
        } ?? .null
        let wifiValue: JSONValue = wifi.map {
            .object([("security", text($0.security?.description)), ("ssid", .string($0.ssid))])
        } ?? .null
        let object = JSONValue.object([
            ("acceptance", .array(checks)),
            ("customer", text(customer)),
            ("firmware", firmwareValue),
            ("name_template", text(nameTemplate?.text)),
            ("owner", .string(owner.rawValue)),
            ("product", text(product)),
            ("version", .number("1")),
            ("wifi", wifiValue),
        ])
        return object.serialized
    }
}

/// Reads a profile file: a regular file of at most `StationProfile.maximumFileSize` bytes of UTF-8.
enum ProfileFile {
    static func read(_ path: String) throws(ProfileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let hint = errno == ENOENT ? "; `particlectl station init \(path)` writes an example to start from" : ""
            throw ProfileError("cannot read the profile \(path): \(reason)\(hint)",
                               exitStatus: errno == ENOENT ? .usage : .io)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ProfileError("the profile \(path) is not a regular file")
        }
        let bytes = try FileBytes.read(fd, limit: StationProfile.maximumFileSize, path: path, what: "the profile")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ProfileError("the profile \(path) is not UTF-8 text")
        }
        return text
    }
}

/// Reads a whole small file from a descriptor, refusing one larger than `limit`.
enum FileBytes {
    static func read(_ fd: Int32, limit: Int, path: String, what: String) throws(ProfileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProfileError("cannot read \(what) \(path): \(String(cString: strerror(errno)))", exitStatus: .io)
            }
            bytes += chunk.prefix(count)
            if bytes.count > limit { throw ProfileError("\(what) \(path) is larger than \(limit) bytes") }
        }
    }
}
