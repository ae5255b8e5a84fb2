import Foundation
import ParticleCore

/// A device argument: a 24-hex device ID or a device name, checked for shape before any request is sent.
public struct DeviceReference: Sendable, Equatable, CustomStringConvertible {
    /// The ID (lower-cased) or the name.
    public let value: String

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if Self.isDeviceID(trimmed) {
            value = trimmed.lowercased()
            return
        }
        guard !trimmed.isEmpty, trimmed.count <= 63,
              trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw UserError(.usage, "'\(text.prefix(40))' is neither a 24-hex device ID nor a device name (letters, digits, _ and -)")
        }
        value = trimmed
    }

    /// True for exactly 24 hexadecimal digits.
    public static func isDeviceID(_ text: String) -> Bool {
        DeviceID.isValid(text)
    }

    public var isID: Bool { Self.isDeviceID(value) }
    public var description: String { value }
    var segment: String { CloudRequest.segment(value) }
}
