/// The single-byte commands of the listening-mode console. A command is the byte alone, with no terminator.
public enum ListeningModeCommand: UInt8, Sendable, CaseIterable {
    /// Device ID, plus key/value lines on newer or cellular devices.
    case identify = 0x69 // i
    /// MAC address.
    case mac = 0x6d // m
    /// Module/system JSON.
    case systemInfo = 0x73 // s
    /// Device OS version.
    case version = 0x76 // v
    /// Whether the device is claimed.
    case claimed = 0x63 // c
    /// Claim-code dialogue.
    case setClaimCode = 0x43 // C
    /// Wi-Fi credentials dialogue (Wi-Fi consoles only).
    case wifi = 0x77 // w
    /// Leave listening mode. No output.
    case exit = 0x78 // x

    public var byte: UInt8 { rawValue }
}
