/// A Device OS `system_error_t` result code, as the RESULT field of a finished request carries it (spec §1.10).
public struct ResultCode: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let none = ResultCode(0)
    public static let notSupported = ResultCode(-120)
    public static let invalidState = ResultCode(-210)
    public static let protected = ResultCode(-1801)

    /// What the code means, in words (the texts particle-usb uses where it has one).
    public var meaning: String {
        switch rawValue {
        case 0: "no error"
        case -1: "request error"
        case -100: "unknown error"
        case -110: "resource is busy"
        case -120: "not supported"
        case -130: "not allowed"
        case -140: "operation cancelled"
        case -150: "operation aborted"
        case -160: "timeout error"
        case -170: "not found"
        case -190: "data is too large"
        case -210: "invalid state"
        case -219: "flash I/O error"
        case -220: "I/O error"
        case -240: "protocol error"
        case -260: "memory allocation error"
        case -270: "invalid argument"
        case -280: "invalid data format"
        case -290: "out of range"
        case -1320: "firmware validation failed"
        case -1330: "firmware integrity check failed"
        case -1340: "firmware dependency check failed"
        case -1351: "invalid firmware size"
        case -1360: "firmware is for another platform"
        case -1380: "firmware updates are disabled"
        case -1801: "device is protected"
        case -1802: "key mismatch"
        case -1803: "invalid signature"
        case -1399 ... -1300: "firmware update error"
        default: "error"
        }
    }

    public var description: String { "\(meaning) (\(rawValue))" }
}
