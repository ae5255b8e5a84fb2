/// A Particle hardware platform: its Device OS platform id and the lower-case name tools and the cloud use.
public struct Platform: Sendable, Hashable, CustomStringConvertible {
    /// Device OS platform id (6 for the Photon, 32 for the P2 …); nil when unknown.
    public let id: Int?
    /// Lower-case machine name ("photon", "p2" …); "unknown" for product ids not in the table.
    public let name: String
    /// Name for people ("Photon", "P2 / Photon 2" …).
    public let displayName: String

    public init(id: Int?, name: String, displayName: String) {
        self.id = id
        self.name = name
        self.displayName = displayName
    }

    public var description: String { name }

    public static let unknown = Platform(id: nil, name: "unknown", displayName: "Unknown")

    /// Every platform particlectl knows, in platform-id order.
    public static let all: [Platform] = [
        Platform(id: 0, name: "core", displayName: "Core"),
        Platform(id: 6, name: "photon", displayName: "Photon"),
        Platform(id: 8, name: "p1", displayName: "P1"),
        Platform(id: 10, name: "electron", displayName: "Electron / E Series"),
        Platform(id: 12, name: "argon", displayName: "Argon"),
        Platform(id: 13, name: "boron", displayName: "Boron"),
        Platform(id: 14, name: "xenon", displayName: "Xenon"),
        Platform(id: 15, name: "esomx", displayName: "E SoM X"),
        Platform(id: 22, name: "asom", displayName: "A SoM"),
        Platform(id: 23, name: "bsom", displayName: "B SoM"),
        Platform(id: 24, name: "xsom", displayName: "X SoM"),
        Platform(id: 25, name: "b5som", displayName: "B5 SoM"),
        Platform(id: 26, name: "tracker", displayName: "Tracker"),
        Platform(id: 28, name: "trackerm", displayName: "Tracker M"),
        Platform(id: 32, name: "p2", displayName: "P2 / Photon 2"),
        Platform(id: 35, name: "msom", displayName: "M-SoM"),
        Platform(id: 37, name: "electron2", displayName: "Electron 2"),
    ]

    /// The platform with this Device OS platform id, if particlectl knows it.
    public static func withID(_ id: Int) -> Platform? { all.first { $0.id == id } }

    /// Looks a platform up by its id or by name (case-insensitive; "photon2" and "muon" are accepted aliases).
    public static func named(_ text: String) -> Platform? {
        let key = text.lowercased()
        if let number = Int(key) { return withID(number) }
        let aliases = ["photon2": "p2", "photon 2": "p2", "tron": "p2", "muon": "msom", "e-som-x": "esomx"]
        let name = aliases[key] ?? key
        return all.first { $0.name == name }
    }
}

/// Whether a USB device is running its application/system firmware (CDC serial) or its DFU bootloader.
public enum USBMode: String, Sendable, Codable, Hashable {
    case normal
    case dfu
}

/// The table from USB vendor/product id to Particle platform and mode.
///
/// Particle devices use vendor 0x2b04 with CDC product id 0xC0nn and DFU product id 0xD0nn, nn being the platform id;
/// the Core used 0x1d50:0x607d (CDC) and 0x607f (DFU).
public enum USBIdentity {
    public static let particleVendorID: UInt16 = 0x2b04
    public static let legacyVendorID: UInt16 = 0x1d50
    public static let coreCDCProductID: UInt16 = 0x607d
    public static let coreDFUProductID: UInt16 = 0x607f

    /// The CDC (normal-mode) product id of a platform.
    public static func cdcProductID(for platform: Platform) -> (vendor: UInt16, product: UInt16)? {
        guard let id = platform.id else { return nil }
        if id == 0 { return (legacyVendorID, coreCDCProductID) }
        return (particleVendorID, 0xC000 | UInt16(id))
    }

    /// The DFU-mode product id of a platform.
    public static func dfuProductID(for platform: Platform) -> (vendor: UInt16, product: UInt16)? {
        guard let id = platform.id else { return nil }
        if id == 0 { return (legacyVendorID, coreDFUProductID) }
        return (particleVendorID, 0xD000 | UInt16(id))
    }

    /// True when a USB device with these ids belongs to Particle (known platform or not).
    public static func isParticle(vendorID: UInt16, productID: UInt16) -> Bool {
        if vendorID == particleVendorID { return true }
        return vendorID == legacyVendorID && (productID == coreCDCProductID || productID == coreDFUProductID)
    }

    /// Platform and mode of a Particle device; nil for a non-Particle device. Unknown Particle product ids give
    /// `Platform.unknown`, never nil, so they are still listed.
    public static func identify(vendorID: UInt16, productID: UInt16) -> (platform: Platform, mode: USBMode)? {
        guard isParticle(vendorID: vendorID, productID: productID) else { return nil }
        if vendorID == legacyVendorID {
            let core = Platform.all[0]
            return (core, productID == coreDFUProductID ? .dfu : .normal)
        }
        let mode: USBMode = (productID & 0xFF00) == 0xD000 ? .dfu : .normal
        let family = productID & 0xFF00
        guard family == 0xC000 || family == 0xD000 else { return (.unknown, mode) }
        let id = Int(productID & 0x00FF)
        let platform = Platform.all.first { $0.id == id && $0.id != 0 } ?? .unknown
        return (platform, mode)
    }
}
