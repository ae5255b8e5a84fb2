import Foundation
import ParticleCore

/// A device argument: a 24-hex device ID or a device name, checked for shape before any request is sent.
public struct DeviceReference: Sendable, Equatable, CustomStringConvertible {
    /// The ID (lower-cased) or the name.
    public let value: String

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = DeviceID(trimmed) {
            value = id.rawValue
            return
        }
        guard !trimmed.isEmpty, trimmed.count <= 63,
              trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw UserError(.usage, "'\(text.prefix(40))' is neither a 24-hex device ID nor a device name (letters, digits, _ and -)")
        }
        value = trimmed
    }

    /// A reference to the device with this ID.
    public init(id: DeviceID) {
        value = id.rawValue
    }

    /// True for exactly 24 hexadecimal digits (`DeviceID`'s rule).
    public static func isDeviceID(_ text: String) -> Bool {
        DeviceID.isValid(text)
    }

    /// The device ID, when the reference is one rather than a name.
    public var id: DeviceID? { DeviceID(value) }
    public var isID: Bool { id != nil }
    public var description: String { value }
    var segment: String { CloudRequest.segment(value) }
}
