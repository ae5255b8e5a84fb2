import Foundation

/// Encodes values for `--json` output: stable key order, no escaped slashes, one line.
public enum JSONOutput {
    public static func line<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            return String(decoding: data, as: UTF8.self)
        } catch {
            // Encoding our own Encodable types cannot fail for valid values; keep the output parseable if it does.
            return "null"
        }
    }
}
