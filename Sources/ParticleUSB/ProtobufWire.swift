/// Just enough of the protobuf wire format for the small control-request messages (strings, bools, enums): fields
/// are encoded in number order, and unknown fields are skipped when decoding, as nanopb does on the device.
public struct ProtobufFields: Sendable, Equatable {
    /// Varint fields by number (last value wins, as proto3 says).
    public private(set) var varints: [Int: UInt64] = [:]
    /// Length-delimited fields by number (last value wins).
    public private(set) var bytes: [Int: [UInt8]] = [:]
    /// Every value of each length-delimited field, in order (repeated strings and messages).
    public private(set) var repeatedBytes: [Int: [[UInt8]]] = [:]

    public init() {}

    /// Decodes `data`; a truncated or malformed message is a protocol violation.
    public init(decoding data: [UInt8]) throws(USBError) {
        var offset = 0
        func varint() throws(USBError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < data.count, shift < 64 else { throw USBError(.protocolViolation("a malformed reply message")) }
                let byte = data[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while offset < data.count {
            let key = try varint()
            guard let field = Int(exactly: key >> 3) else { throw USBError(.protocolViolation("a malformed reply message")) }
            switch key & 7 {
            case 0:
                varints[field] = try varint()
            case 1, 5:
                let width = key & 7 == 1 ? 8 : 4
                guard offset + width <= data.count else { throw USBError(.protocolViolation("a truncated reply message")) }
                varints[field] = (0..<width).reduce(UInt64(0)) { $0 | UInt64(data[offset + $1]) << (8 * UInt64($1)) }
                offset += width
            case 2:
                let length = try varint()
                guard length <= UInt64(data.count - offset) else {
                    throw USBError(.protocolViolation("a truncated reply message"))
                }
                let value = Array(data[offset..<(offset + Int(length))])
                bytes[field] = value
                repeatedBytes[field, default: []].append(value)
                offset += Int(length)
            default:
                throw USBError(.protocolViolation("a reply message with an unknown wire type"))
            }
        }
    }

    public func string(_ field: Int) -> String? { bytes[field].map { String(decoding: $0, as: UTF8.self) } }
    public func bool(_ field: Int) -> Bool { (varints[field] ?? 0) != 0 }
    public func uint(_ field: Int) -> UInt64 { varints[field] ?? 0 }

    /// Encodes a string field (proto3: an empty string is left out).
    public static func encode(string value: String, field: Int) -> [UInt8] {
        let data = Array(value.utf8)
        guard !data.isEmpty else { return [] }
        return encodeVarint(UInt64(field << 3 | 2)) + encodeVarint(UInt64(data.count)) + data
    }

    /// Encodes an unsigned varint field (proto3: 0 is left out).
    public static func encode(uint value: UInt64, field: Int) -> [UInt8] {
        guard value != 0 else { return [] }
        return encodeVarint(UInt64(field << 3)) + encodeVarint(value)
    }

    /// The nested messages of a repeated (or single) message field.
    public func messages(_ field: Int) throws(USBError) -> [ProtobufFields] {
        var decoded: [ProtobufFields] = []
        for value in repeatedBytes[field] ?? [] { decoded.append(try ProtobufFields(decoding: value)) }
        return decoded
    }

    public static func encodeVarint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var rest = value
        repeat {
            let byte = UInt8(rest & 0x7F)
            rest >>= 7
            out.append(rest == 0 ? byte : byte | 0x80)
        } while rest != 0
        return out
    }
}
