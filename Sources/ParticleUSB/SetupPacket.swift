/// The 8-byte setup packet of a USB control transfer, and the ones Particle's control-request protocol uses
/// (vendor requests to the device: bmRequestType 0x40 OUT, 0xC0 IN; multi-byte fields little-endian).
public struct SetupPacket: Sendable, Hashable, CustomStringConvertible {
    public var requestType: UInt8
    public var request: UInt8
    public var value: UInt16
    public var index: UInt16
    public var length: UInt16

    public init(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: UInt16) {
        self.requestType = requestType
        self.request = request
        self.value = value
        self.index = index
        self.length = length
    }

    /// Vendor request, recipient device, device to host.
    public static let vendorIn: UInt8 = 0xC0
    /// Vendor request, recipient device, host to device.
    public static let vendorOut: UInt8 = 0x40
    /// wLength of INIT, CHECK and RESET: exactly 64 (the device STALLs anything else).
    public static let serviceReplyLength: UInt16 = 64
    /// The most payload or reply bytes one SEND or RECV carries.
    public static let maximumChunk = 4096

    /// The service requests (bRequest 1–5) and the raw 'P' requests (0x50).
    public enum Service: UInt8, Sendable {
        case initiate = 1, check = 2, send = 3, receive = 4, reset = 5
        case quick = 0x50
    }

    public var isIn: Bool { requestType & 0x80 != 0 }

    /// INIT: starts a request of `type` whose payload is `payloadSize` bytes; the reply carries its id.
    public static func initiate(type: UInt16, payloadSize: UInt16) -> SetupPacket {
        SetupPacket(requestType: vendorIn, request: Service.initiate.rawValue, value: payloadSize, index: type,
                    length: serviceReplyLength)
    }

    /// CHECK: asks how request `id` is doing.
    public static func check(id: UInt16) -> SetupPacket {
        SetupPacket(requestType: vendorIn, request: Service.check.rawValue, value: 0, index: id, length: serviceReplyLength)
    }

    /// SEND: the next `length` payload bytes of request `id` (OUT data stage).
    public static func send(id: UInt16, length: UInt16) -> SetupPacket {
        SetupPacket(requestType: vendorOut, request: Service.send.rawValue, value: 0, index: id, length: length)
    }

    /// RECV: the next `length` reply bytes of request `id`.
    public static func receive(id: UInt16, length: UInt16) -> SetupPacket {
        SetupPacket(requestType: vendorIn, request: Service.receive.rawValue, value: 0, index: id, length: length)
    }

    /// RESET: drops request `id`; id 0 drops every active request.
    public static func reset(id: UInt16) -> SetupPacket {
        SetupPacket(requestType: vendorIn, request: Service.reset.rawValue, value: 0, index: id, length: serviceReplyLength)
    }

    /// A raw 'P' request read (device ID, system version): no id, no status, up to 64 bytes back.
    public static func quickRead(_ request: QuickRequest) -> SetupPacket {
        SetupPacket(requestType: vendorIn, request: Service.quick.rawValue, value: 0, index: request.rawValue, length: 64)
    }

    /// The packet as sent on the wire.
    public var bytes: [UInt8] {
        [requestType, request, UInt8(value & 0xFF), UInt8(value >> 8), UInt8(index & 0xFF), UInt8(index >> 8),
         UInt8(length & 0xFF), UInt8(length >> 8)]
    }

    /// Upper-case hex of `bytes`, as logs and tests show it.
    public var description: String { bytes.map { hexByte($0) }.joined() }
}

/// The raw 'P' (0x50) reads, answered by the USB interrupt handler itself (no id, no Protected filter).
public enum QuickRequest: UInt16, Sendable {
    /// Device ID as 24 upper-case hex characters.
    case deviceID = 20
    /// Device OS version text (e.g. "6.2.0").
    case systemVersion = 30
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
