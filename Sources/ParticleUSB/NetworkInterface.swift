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

    /// The entries of a GetInterfaceListReply (400).
    public static func list(from reply: [UInt8]) throws(USBError) -> [NetworkInterface] {
        try Particle_Ctrl_GetInterfaceListReply(reply: reply, of: RequestType.interfaceList).interfaces.map { entry in
            NetworkInterface(index: entry.index, name: entry.name, kind: Kind(entry.type))
        }
    }

    /// The interface of a GetInterfaceReply (401), with its hardware address.
    public static func detail(from reply: [UInt8]) throws(USBError) -> NetworkInterface {
        let message = try Particle_Ctrl_GetInterfaceReply(reply: reply, of: RequestType.interface)
        guard message.hasInterface else {
            throw USBError(.protocolViolation("an interface reply without an interface"), requestType: RequestType.interface)
        }
        let interface = message.interface
        return NetworkInterface(index: interface.index, name: interface.name, kind: Kind(interface.type),
                                hardwareAddress: Array(interface.hwAddress))
    }

    /// The payload of a GetInterfaceRequest (401).
    static func detailRequest(index: UInt32) -> [UInt8] {
        var request = Particle_Ctrl_GetInterfaceRequest()
        request.index = index
        return request.payload
    }

    /// "aa:bb:cc:dd:ee:ff" (nil without an address).
    public var macAddress: String? {
        hardwareAddress.isEmpty ? nil : hardwareAddress.map(hexByte).joined(separator: ":")
    }
}

extension NetworkInterface.Kind {
    /// nil for a type this side does not know.
    init?(_ wire: Particle_Ctrl_InterfaceType) {
        guard let raw = UInt64(exactly: wire.rawValue) else { return nil }
        self.init(rawValue: raw)
    }
}
