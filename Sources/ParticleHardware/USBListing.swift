import ParticleCore

extension DeviceIdentity {
    /// Order used by every USB listing: by port, devices without a port (DFU) last, then by USB serial number.
    public static func listingOrder(_ a: DeviceIdentity, _ b: DeviceIdentity) -> Bool {
        switch (a.port, b.port) {
        case let (x?, y?) where x != y: return x.localizedStandardLess(y)
        case (.some, nil): return true
        case (nil, .some): return false
        default: return (a.usb?.serialNumber ?? "") < (b.usb?.serialNumber ?? "")
        }
    }
}

/// The `--json` object of a device found on USB (`serial list`, `serial watch`, README "Discovery"): every key always
/// present, `null` when unknown — `port`, `platform` (name, "unknown" when not in the table), `platform_id`,
/// `vendor_id` and `product_id` (4 lower-case hex digits), `serial_number` (the USB one), `mode`, `usb_path`.
public struct USBDeviceJSON: Encodable, Sendable, Hashable {
    public var device: DeviceIdentity

    public init(_ device: DeviceIdentity) {
        self.device = device
    }

    enum CodingKeys: String, CodingKey {
        case port, platform, mode
        case usbPath = "usb_path"
        case platformID = "platform_id"
        case vendorID = "vendor_id"
        case productID = "product_id"
        case serialNumber = "serial_number"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let platform = device.platform ?? device.usb?.platform ?? .unknown
        try container.encode(device.port, forKey: .port)
        try container.encode(platform.name, forKey: .platform)
        try container.encode(platform.id, forKey: .platformID)
        try container.encode(device.usb?.vendorHex, forKey: .vendorID)
        try container.encode(device.usb?.productHex, forKey: .productID)
        try container.encode(device.usb?.serialNumber, forKey: .serialNumber)
        try container.encode(device.usb?.mode ?? .normal, forKey: .mode)
        try container.encode(device.usb?.path, forKey: .usbPath)
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
