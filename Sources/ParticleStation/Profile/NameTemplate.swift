import ParticleProvisioning

/// A device name with a sequence number the ledger allocates: `widget-{seq:05}` → `widget-00042`. Exactly one
/// `{seq}` (the number as is) or `{seq:0N}` (zero-padded to N digits, 1–20; wider numbers are never cut); every
/// other character is literal, and `{`/`}` only appear in the placeholder. Pure.
public struct NameTemplate: Sendable, Equatable, CustomStringConvertible {
    /// The template as written.
    public var text: String
    private var prefix: String
    private var suffix: String
    /// Zero-padding width; 0 for `{seq}`.
    private var width: Int

    public init(parsing text: String) throws(ProfileError) {
        self.text = text
        guard let open = text.firstIndex(of: "{") else {
            throw ProfileError("a name template needs {seq} or {seq:0N} (e.g. widget-{seq:05}) so every device gets its own name")
        }
        guard let close = text[open...].firstIndex(of: "}") else {
            throw ProfileError("the name template's '{' is never closed; write {seq} or {seq:0N}")
        }
        let placeholder = text[text.index(after: open)..<close]
        prefix = String(text[..<open])
        suffix = String(text[text.index(after: close)...])
        if placeholder == "seq" {
            width = 0
        } else if placeholder.hasPrefix("seq:0"), let digits = Int(placeholder.dropFirst(5)),
                  placeholder.dropFirst(5).allSatisfy(\.isASCII), (1...20).contains(digits) {
            width = digits
        } else {
            throw ProfileError("the name template has {\(placeholder)}; the only placeholders are {seq} and {seq:0N} (N from 1 to 20)")
        }
        if prefix.contains(where: { $0 == "{" || $0 == "}" }) || suffix.contains(where: { $0 == "{" || $0 == "}" }) {
            throw ProfileError("a name template has exactly one {seq} and no other braces")
        }
    }

    /// The name for sequence number `seq` (≥ 1), checked by the cloud's rules for a name.
    public func render(_ seq: Int) throws(ProfileError) -> String {
        guard seq >= 0 else { throw ProfileError("a name's sequence number cannot be negative (\(seq))") }
        var digits = String(seq)
        if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
        let name = prefix + digits + suffix
        if let problem = DeviceNameRule.problem(name) { throw ProfileError("name template \(text): \(problem)") }
        return name
    }

    public var description: String { text }
}
