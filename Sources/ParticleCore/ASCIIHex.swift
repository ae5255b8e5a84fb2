/// ASCII hexadecimal digits: `0-9`, `a-f`, `A-F`, and no other Unicode digit. The one reading of a hex digit for every
/// decoder (device IDs, MAC addresses, JSON `\u` escapes, chunk sizes, key slots).
public enum ASCIIHex {
    /// The digit's value (0…15), or nil for any other byte.
    public static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public static func isDigit(_ byte: UInt8) -> Bool { value(byte) != nil }
}
