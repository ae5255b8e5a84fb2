/// The one rule for a Particle device ID, used by every layer (console replies, SoftAP replies, cloud references,
/// simulators): exactly 24 ASCII hexadecimal digits, written lower-case.
public enum DeviceID {
    public static let length = 24

    /// True for exactly 24 ASCII hex digits, in either case.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy(isASCIIHexDigit)
    }

    /// The ID lower-cased, or nil when `text` is not one.
    public static func normalized(_ text: some StringProtocol) -> String? {
        isValid(text) ? text.lowercased() : nil
    }

    static func isASCIIHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
