/// A network interface as NETWORK_GET_INTERFACE_LIST (400) and NETWORK_GET_INTERFACE (401) describe it.
public struct NetworkInterface: Sendable, Equatable {
    /// The interface types Device OS reports (derived from the name prefix lo/th/en/wl/pp).
    public enum Kind: UInt64, Sendable {
        case invalid = 0, loopback = 1, thread = 2, ethernet = 4, wifi = 8, ppp = 16
    }

    public var index: UInt32
    public var name: String
    public var kind: Kind?
    /// The hardware (MAC) address; empty when the interface has none.
    public var hardwareAddress: [UInt8]

    public init(index: UInt32, name: String, kind: Kind?, hardwareAddress: [UInt8] = []) {
        self.index = index
        self.name = name
        self.kind = kind
        self.hardwareAddress = hardwareAddress
    }

    /// The entries of a GetInterfaceListReply: field 1, repeated {1 index, 2 name, 3 type}.
    public static func list(from reply: [UInt8]) throws(USBError) -> [NetworkInterface] {
        try ProtobufFields(decoding: reply).messages(1).map { entry in
            NetworkInterface(index: UInt32(truncatingIfNeeded: entry.uint(1)), name: entry.string(2) ?? "",
                             kind: Kind(rawValue: entry.uint(3)))
        }
    }

    /// A GetInterfaceReply: field 1 is the Interface {1 index, 2 name, 3 type, …, 8 hw_address}.
    public static func detail(from reply: [UInt8]) throws(USBError) -> NetworkInterface {
        guard let interface = try ProtobufFields(decoding: reply).messages(1).first else {
            throw USBError(.protocolViolation("an interface reply without an interface"), requestType: RequestType.interface)
        }
        return NetworkInterface(index: UInt32(truncatingIfNeeded: interface.uint(1)), name: interface.string(2) ?? "",
                                kind: Kind(rawValue: interface.uint(3)), hardwareAddress: interface.bytes[8] ?? [])
    }

    /// "aa:bb:cc:dd:ee:ff" (nil without an address).
    public var macAddress: String? {
        hardwareAddress.isEmpty ? nil : hardwareAddress.map(hexByte).joined(separator: ":")
    }
}
