/// What the device says about a request in answer to INIT, CHECK or RESET.
public enum ServiceStatus: UInt16, Sendable, Equatable {
    case ok = 0
    /// Defined, never sent by Device OS.
    case error = 1
    /// Not ready: ask again later.
    case pending = 2
    /// Four requests are already active.
    case busy = 3
    /// The device could not allocate the request.
    case noMemory = 4
    /// The id is unknown (or the request was cancelled).
    case notFound = 5
}

/// The service reply (spec §1.3): a flags word, then status, id, size and result, each only when its flag is set.
public struct ServiceReply: Sendable, Equatable {
    public var status: ServiceStatus
    public var id: UInt16?
    /// The reply payload's length (CHECK when done, only when non-empty).
    public var size: UInt32?
    /// The request's result code (CHECK when done).
    public var result: Int32?

    public init(status: ServiceStatus, id: UInt16? = nil, size: UInt32? = nil, result: Int32? = nil) {
        self.status = status
        self.id = id
        self.size = size
        self.result = result
    }

    static let statusFlag: UInt32 = 0x01, idFlag: UInt32 = 0x02, sizeFlag: UInt32 = 0x04, resultFlag: UInt32 = 0x08

    /// Parses the IN data of INIT/CHECK/RESET. Trailing bytes after the flagged fields are ignored.
    public static func parse(_ bytes: [UInt8]) throws(USBError) -> ServiceReply {
        var reader = LittleEndianReader(bytes)
        guard let flags = reader.uint32() else { throw USBError(.protocolViolation("a service reply of \(bytes.count) bytes")) }
        guard flags & statusFlag != 0 else { throw USBError(.protocolViolation("a service reply without a status")) }
        guard let rawStatus = reader.uint16() else { throw USBError(.protocolViolation("a truncated service reply")) }
        guard let status = ServiceStatus(rawValue: rawStatus) else {
            throw USBError(.protocolViolation("an unknown service status \(rawStatus)"))
        }
        var reply = ServiceReply(status: status)
        if flags & idFlag != 0 {
            guard let id = reader.uint16() else { throw USBError(.protocolViolation("a truncated service reply")) }
            reply.id = id
        }
        if flags & sizeFlag != 0 {
            guard let size = reader.uint32() else { throw USBError(.protocolViolation("a truncated service reply")) }
            reply.size = size
        }
        if flags & resultFlag != 0 {
            guard let result = reader.uint32() else { throw USBError(.protocolViolation("a truncated service reply")) }
            reply.result = Int32(bitPattern: result)
        }
        return reply
    }

    /// The reply as a device sends it (used by tests and simulators).
    public var bytes: [UInt8] {
        var flags = Self.statusFlag
        var body = le(status.rawValue)
        if let id { flags |= Self.idFlag; body += le(id) }
        if let size { flags |= Self.sizeFlag; body += le(size) }
        if let result { flags |= Self.resultFlag; body += le(UInt32(bitPattern: result)) }
        return le(flags) + body
    }
}

struct LittleEndianReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func uint16() -> UInt16? {
        guard offset + 2 <= bytes.count else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func uint32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}

func le<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
