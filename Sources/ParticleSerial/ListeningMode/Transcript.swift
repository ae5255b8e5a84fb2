import ParticleCore

/// One exchange on the wire, for `--verbose`. Secrets are masked before an entry is made, including the device's
/// echo of them: a password never reaches a transcript.
public struct TranscriptEntry: Sendable, Equatable {
    public enum Direction: String, Sendable { case sent, received }
    public var direction: Direction
    public var bytes: [UInt8]

    /// Printable form: ASCII as is, `\r` `\n` `\t` escaped, other bytes as `\xNN` (`UntrustedText`).
    public var text: String { UntrustedText.escaped(bytes: bytes) }
}

/// Replaces every occurrence of the secrets in a byte stream with `*`, also across chunk boundaries (it holds back
/// the bytes that could be the start of a secret until it knows).
public struct SecretMasker {
    private var secrets: [[UInt8]] = []
    private var held: [UInt8] = []

    public init() {}

    public mutating func add(_ secret: [UInt8]) {
        let trimmed = secret.filter { $0 != 0x0a && $0 != 0x0d }
        if !trimmed.isEmpty { secrets.append(trimmed) }
    }

    /// Masks `bytes`; returns what can be shown now.
    public mutating func mask(_ bytes: [UInt8]) -> [UInt8] {
        var data = held + bytes
        held = []
        for secret in secrets {
            var index = 0
            while index + secret.count <= data.count {
                if data[index..<(index + secret.count)].elementsEqual(secret) {
                    data.replaceSubrange(index..<(index + secret.count), with: [UInt8](repeating: 0x2a, count: 3))
                    index += 3
                } else {
                    index += 1
                }
            }
        }
        // Hold back a tail that is a proper prefix of some secret.
        var keep = 0
        for secret in secrets {
            for length in stride(from: min(secret.count - 1, data.count), through: 1, by: -1)
            where data.suffix(length).elementsEqual(secret.prefix(length)) {
                keep = max(keep, length)
                break
            }
        }
        held = Array(data.suffix(keep))
        return Array(data.dropLast(keep))
    }

    public mutating func flush() -> [UInt8] {
        defer { held = [] }
        return held
    }
}
