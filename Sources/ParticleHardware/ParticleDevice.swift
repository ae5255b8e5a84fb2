/// One attached Particle USB device: what discovery knows about it. Shared by every layer that needs to say which
/// device it is talking to.
public struct ParticleDevice: Sendable, Hashable, Codable {
    /// The tty node ("/dev/ttyACM0"); nil for a device in DFU mode, which has no serial port.
    public var port: String?
    public var platform: String
    public var platformID: Int?
    /// Four lower-case hex digits.
    public var vendorID: String
    /// Four lower-case hex digits.
    public var productID: String
    /// The USB serial number (on Particle devices, the device ID in hex), when the device reports one.
    public var serialNumber: String?
    public var mode: USBMode
    /// Where it is plugged in: the USB bus and port chain ("1-1.3" = bus 1, hub on port 1, its port 3), from the
    /// udev device path; stable for a physical hub port. nil when unknown.
    public var usbPath: String?

    enum CodingKeys: String, CodingKey {
        case port, platform, mode
        case usbPath = "usb_path"
        case platformID = "platform_id"
        case vendorID = "vendor_id"
        case productID = "product_id"
        case serialNumber = "serial_number"
    }

    public init(port: String?, vendorID: UInt16, productID: UInt16, serialNumber: String?, usbPath: String? = nil) {
        let identity = USBIdentity.identify(vendorID: vendorID, productID: productID) ?? (.unknown, .normal)
        self.port = port
        self.platform = identity.platform.name
        self.platformID = identity.platform.id
        self.vendorID = Self.hex4(vendorID)
        self.productID = Self.hex4(productID)
        self.serialNumber = serialNumber
        self.mode = identity.mode
        self.usbPath = usbPath
    }

    /// The USB port chain in a sysfs device path: its last component shaped like "1-1.3" (bus-port[.port…]), so a
    /// tty's path (…/1-1.3/1-1.3:1.0/tty/ttyACM0) and its USB device's path give the same answer.
    public static func usbPath(inSyspath syspath: String) -> String? {
        syspath.split(separator: "/").last { component in
            let parts = component.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let bus = parts.first, !bus.isEmpty, bus.allSatisfy(\.isNumber) else { return false }
            let ports = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return ports.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }.map(String.init)
    }

    // Explicit encoding so that nil values are written as JSON null: the key set is part of the stable --json shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(port, forKey: .port)
        try container.encode(platform, forKey: .platform)
        try container.encode(platformID, forKey: .platformID)
        try container.encode(vendorID, forKey: .vendorID)
        try container.encode(productID, forKey: .productID)
        try container.encode(serialNumber, forKey: .serialNumber)
        try container.encode(mode, forKey: .mode)
        try container.encode(usbPath, forKey: .usbPath)
    }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Order used by every listing: by port, devices without a port (DFU) last, then by serial number.
    public static func listingOrder(_ a: ParticleDevice, _ b: ParticleDevice) -> Bool {
        switch (a.port, b.port) {
        case let (x?, y?) where x != y: return x.localizedStandardLess(y)
        case (.some, nil): return true
        case (nil, .some): return false
        default: return (a.serialNumber ?? "") < (b.serialNumber ?? "")
        }
    }
}

extension String {
    /// Natural order, so ttyACM2 sorts before ttyACM10.
    func localizedStandardLess(_ other: String) -> Bool {
        func split(_ s: String) -> (String, Int?) {
            let digits = s.reversed().prefix { $0.isNumber }
            let stem = String(s.dropLast(digits.count))
            return (stem, Int(String(digits.reversed())))
        }
        let (a, an) = split(self), (b, bn) = split(other)
        if a == b, let an, let bn, an != bn { return an < bn }
        return self < other
    }
}
