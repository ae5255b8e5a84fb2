/// Text from a device, a SoftAP scan or the cloud, made safe to print on a terminal: control characters (which
/// could set the title, clear the screen or recolour it) are shown escaped, never sent raw. The one escaping of
/// untrusted text in human-readable output; JSON output carries the exact text instead.
///
/// `\r` `\n` `\t` and `\` are written as `\r` `\n` `\t` `\\`; other C0 controls and DEL as `\xNN`; C1 controls
/// (U+0080–U+009F) as `\u{NN}`. Everything else (printable ASCII, other Unicode) is kept.
public enum UntrustedText {
    /// The escaped form of `text`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            out += escaped(scalar)
        }
        return out
    }

    /// The escaped form of raw bytes (a wire transcript): printable ASCII as is, every other byte as `\xNN`.
    public static func escaped<Bytes: Sequence<UInt8>>(bytes: Bytes) -> String {
        var out = ""
        for byte in bytes {
            if byte >= 0x80 {
                out += hex(UInt32(byte), prefix: "\\x")
            } else {
                out += escaped(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// Whether printing `text` raw could drive the terminal (it holds a character that `escaped` rewrites).
    public static func needsEscaping(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: needsEscape)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x5C || (0x7F...0x9F).contains(scalar.value)
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0D: "\\r"
        case 0x0A: "\\n"
        case 0x09: "\\t"
        case 0x5C: "\\\\"
        case 0x00..<0x20, 0x7F: hex(scalar.value, prefix: "\\x")
        case 0x80...0x9F: "\\u{" + hex(scalar.value, prefix: "") + "}"
        default: String(scalar)
        }
    }

    private static func hex(_ value: UInt32, prefix: String) -> String {
        let digits = String(value, radix: 16)
        return prefix + (digits.count == 1 ? "0" : "") + digits
    }
}
