import Foundation

/// A firmware application that ships inside particlectl: its source and the manifest a flash is verified against.
public struct BundledFirmware: Sendable, Hashable {
    /// What the device must show after a successful flash, and the call that proves it runs.
    public struct Manifest: Sendable, Hashable, Codable {
        public struct Verification: Sendable, Hashable, Codable {
            public var function: String
            public var argument: String
            public var expect: Int
        }

        public var name: String
        public var description: String
        /// File name of the source, e.g. "functionVar.cpp".
        public var source: String
        public var functions: [String]
        /// Variable name → type as the Cloud API reports it ("int32" …).
        public var variables: [String: String]
        public var events: [String]
        public var subscriptions: [String]?
        public var productVersion: Int?
        public var verify: Verification

        enum CodingKeys: String, CodingKey {
            case name, description, source, functions, variables, events, subscriptions, verify
            case productVersion = "product_version"
        }
    }

    public var manifest: Manifest
    /// The C++ source, as shipped.
    public var source: String

    public var name: String { manifest.name }
    public var fileName: String { manifest.source }

    /// Every bundled firmware, by name.
    public static let all: [BundledFirmware] = EmbeddedFirmware.entries.compactMap { entry in
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(entry.manifest.utf8)) else {
            return nil
        }
        return BundledFirmware(manifest: manifest, source: entry.source)
    }

    /// A bundled firmware by name (case-insensitive, with or without ".cpp").
    public static func named(_ name: String) -> BundledFirmware? {
        let key = name.lowercased().replacingOccurrences(of: ".cpp", with: "")
        return all.first { $0.name.lowercased() == key }
    }
}
