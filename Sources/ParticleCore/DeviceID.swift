/// A Particle device ID: exactly 24 ASCII hexadecimal digits, kept lower-case. The one device-ID rule of every layer
/// (console replies, SoftAP replies, USB serial numbers, cloud references, simulators): a value of this type has
/// passed it, so code that holds a `DeviceID` never checks again.
///
/// ```swift
/// DeviceID("E00FCE68A1B2C3D4E5F60718")?.description   // "e00fce68a1b2c3d4e5f60718"
/// DeviceID("my-photon")                               // nil: a name, not an ID
/// ```
///
/// Encodes as its text (`"e00f…"`) and decodes only from a valid ID.
public struct DeviceID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public static let length = 24

    /// The ID, 24 lower-case hex digits.
    public let rawValue: String

    /// The ID in `text` (either case, nothing around it), or nil when `text` is not one.
    public init?(_ text: some StringProtocol) {
        guard Self.isValid(text) else { return nil }
        rawValue = text.lowercased()
    }

    public var description: String { rawValue }

    public static func < (lhs: DeviceID, rhs: DeviceID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// True for exactly 24 ASCII hex digits, in either case: the rule itself.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy(ASCIIHex.isDigit)
    }

    /// The ID lower-cased, or nil when `text` is not one.
    public static func normalized(_ text: some StringProtocol) -> String? {
        DeviceID(text)?.rawValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = DeviceID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 24-hex device ID")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
