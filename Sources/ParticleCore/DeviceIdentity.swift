/// Who a device is, as far as the way it was found can tell: the one device type of every layer.
///
/// Each source fills in what it knows and leaves the rest nil:
///
/// | found by | fills in |
/// |---|---|
/// | USB (`DeviceDiscovery`, `DeviceMonitor`) | `usb`, `platform` (from the product id), `id` (from the USB serial number, when it is one) |
/// | the listening-mode console (`IdentifyReply.identity`, `SystemInfo.platform`) | `id`, `serialNumber`, `imei`, `iccid`, then `mac`, `systemVersion`, `platform` |
/// | SoftAP (`SoftAPDeviceInfo.identity`) | `id` |
/// | the cloud (`Device.identity`) | `id`, `name`, `platform`, `serialNumber`, `imei`, `iccid`, `systemVersion` |
///
/// The wire replies themselves (`IdentifyReply`, `SystemInfo`, `SoftAPDeviceInfo`, the cloud's `Device`) stay what
/// their decoders produce and are tested on bytes; each has one small mapping to this type, and the rest of the code
/// (provisioning, the ledger, the station) only sees a `DeviceIdentity`. Two identities of one device found two ways
/// combine with `merging(_:)`.
///
/// Not `Codable`: each command's `--json` object has its own documented keys and is built from these fields.
public struct DeviceIdentity: Sendable, Hashable {
    /// The device ID; nil when the source cannot tell it (a USB device whose serial number is not its ID).
    public var id: DeviceID?
    /// The cloud name.
    public var name: String?
    /// The hardware platform; `Platform.unknown` for a Particle USB product id not in the table.
    public var platform: Platform?
    /// Where and how it is attached over USB; nil when it was not found on USB.
    public var usb: USBAddress?
    /// The manufacturing serial number (`P046AB…`; the console's `Serial Number`, the cloud's `serial_number`).
    /// Not the USB serial number, which is `usb?.serialNumber`.
    public var serialNumber: String?
    /// Wi-Fi MAC address, `aa:bb:cc:dd:ee:ff`.
    public var mac: String?
    public var imei: String?
    public var iccid: String?
    /// Device OS version ("6.1.0").
    public var systemVersion: String?

    public init(id: DeviceID? = nil, name: String? = nil, platform: Platform? = nil, usb: USBAddress? = nil,
                serialNumber: String? = nil, mac: String? = nil, imei: String? = nil, iccid: String? = nil,
                systemVersion: String? = nil) {
        self.id = id
        self.name = name
        self.platform = platform
        self.usb = usb
        self.serialNumber = serialNumber
        self.mac = mac
        self.imei = imei
        self.iccid = iccid
        self.systemVersion = systemVersion
    }

    /// The device attached over USB with this address: its platform from the USB product id, and its ID from the USB
    /// serial number when that is a device ID (as on every Particle device since the Photon).
    public init(usb: USBAddress) {
        self.init(id: usb.serialNumber.flatMap(DeviceID.init), platform: usb.platform, usb: usb)
    }

    /// The tty node it is reachable on ("/dev/ttyACM0"); nil when not attached over USB, or in DFU mode.
    public var port: String? { usb?.port }

    /// This identity with every field it lacks taken from `other` (what this one knows wins).
    public func merging(_ other: DeviceIdentity) -> DeviceIdentity {
        DeviceIdentity(id: id ?? other.id, name: name ?? other.name, platform: platform ?? other.platform,
                       usb: usb ?? other.usb, serialNumber: serialNumber ?? other.serialNumber, mac: mac ?? other.mac,
                       imei: imei ?? other.imei, iccid: iccid ?? other.iccid,
                       systemVersion: systemVersion ?? other.systemVersion)
    }
}

/// Where a device is attached over USB and what it says there: vendor and product id (numbers, not text), the USB
/// serial number, the port chain on the hub and the tty node.
public struct USBAddress: Sendable, Hashable {
    public var vendorID: UInt16
    public var productID: UInt16
    /// The USB serial number string, when the device reports one (on Particle devices, the device ID in hex).
    public var serialNumber: String?
    /// The USB bus and port chain ("1-1.3" = bus 1, hub on port 1, its port 3), from the udev device path; stable for
    /// a physical hub port. nil when unknown.
    public var path: String?
    /// The tty node ("/dev/ttyACM0"); nil for a device in DFU mode, which has no serial port.
    public var port: String?

    public init(vendorID: UInt16, productID: UInt16, serialNumber: String? = nil, path: String? = nil,
                port: String? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.path = path
        self.port = port
    }

    /// Normal (CDC serial) or DFU, from the product id.
    public var mode: USBMode {
        USBIdentity.identify(vendorID: vendorID, productID: productID)?.mode ?? .normal
    }

    /// The platform the product id stands for; `Platform.unknown` for an unknown id (Particle's or not).
    public var platform: Platform {
        USBIdentity.identify(vendorID: vendorID, productID: productID)?.platform ?? .unknown
    }

    /// Vendor id as four lower-case hex digits ("2b04"), as `lsusb` and udev write it.
    public var vendorHex: String { Self.hex4(vendorID) }
    /// Product id as four lower-case hex digits ("c006").
    public var productHex: String { Self.hex4(productID) }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The USB port chain in a sysfs device path: its last component shaped like "1-1.3" (bus-port[.port…]), so a
    /// tty's path (…/1-1.3/1-1.3:1.0/tty/ttyACM0) and its USB device's path give the same answer.
    public static func path(inSyspath syspath: String) -> String? {
        syspath.split(separator: "/").last { component in
            let parts = component.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let bus = parts.first, !bus.isEmpty, bus.allSatisfy(\.isNumber) else { return false }
            let ports = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return ports.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }.map(String.init)
    }
}
