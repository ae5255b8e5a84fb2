/// A prompt the listening-mode console prints and then waits for a line of input. Texts are verbatim from Device OS.
public enum ListeningModePrompt: String, Sendable, CaseIterable, Hashable {
    case ssid = "SSID: "
    case securityWithEnterprise = "Security 0=unsecured, 1=WEP, 2=WPA, 3=WPA2, 4=WPA Enterprise, 5=WPA2 Enterprise: "
    case security = "Security 0=unsecured, 1=WEP, 2=WPA, 3=WPA2: "
    case cipher = "Security Cipher 1=AES, 2=TKIP, 3=AES+TKIP: "
    case password = "Password: "
    case eapType = "EAP Type 0=PEAP/MSCHAPv2, 1=EAP-TLS: "
    case username = "Username: "
    case outerIdentity = "Outer identity (optional): "
    case clientCertificate = "Client certificate in PEM format:\r\n"
    case privateKey = "Private key in PEM format:\r\n"
    case rootCA = "Root CA in PEM format (optional):\r\n"
    case claimCode = "Enter 63-digit claim code: "

    public var text: String { rawValue }
    var bytes: [UInt8] { Array(rawValue.utf8) }

    /// Multi-line (PEM) input: lines until an empty line.
    public var isMultiLine: Bool { self == .clientCertificate || self == .privateKey || self == .rootCA }

    /// A short name for messages ("the security type").
    public var summary: String {
        switch self {
        case .ssid: "the network name (SSID)"
        case .securityWithEnterprise, .security: "the security type"
        case .cipher: "the cipher"
        case .password: "the password"
        case .eapType: "the EAP type"
        case .username: "the username"
        case .outerIdentity: "the outer identity"
        case .clientCertificate: "the client certificate"
        case .privateKey: "the private key"
        case .rootCA: "the root CA"
        case .claimCode: "the claim code"
        }
    }
}

/// Finds prompts and complete lines in the console's output as it arrives, and skips the device's echo of an answer.
///
/// Pure and incremental: feed bytes with `append`, take events with `next()` until it returns nil. A prompt is
/// reported only once its full text has arrived (so "…3=WPA2: " is never mistaken for the start of the longer
/// Enterprise prompt). Memory is bounded: a line without a terminator is cut at `LineAccumulator.maximumLineLength`.
public struct PromptScanner: Sendable {
    public enum Event: Sendable, Equatable {
        case prompt(ListeningModePrompt)
        case line(String)
    }

    private var buffer: [UInt8] = []
    /// `\r\n` sequences still to skip: the echo of the last answer (one per line sent).
    private var echoLinesToSkip = 0

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Call after sending an answer of `lines` lines: the device echoes each, followed by `\r\n`.
    public mutating func expectEcho(lines: Int) {
        echoLinesToSkip = lines
    }

    public mutating func next() -> Event? {
        while echoLinesToSkip > 0 {
            guard let newline = buffer.firstIndex(of: 0x0a) else {
                if buffer.count > LineAccumulator.maximumLineLength { buffer.removeAll() }
                return nil
            }
            buffer.removeSubrange(...newline)
            echoLinesToSkip -= 1
        }
        let newline = buffer.firstIndex(of: 0x0a)
        var best: (start: Int, prompt: ListeningModePrompt)?
        for prompt in ListeningModePrompt.allCases {
            if let start = Self.find(prompt.bytes, in: buffer), best.map({ start < $0.start }) ?? true {
                best = (start, prompt)
            }
        }
        if let best, best.start <= (newline ?? Int.max) {
            // Text before the prompt on the same line (rare) is dropped with it.
            buffer.removeSubrange(..<(best.start + best.prompt.bytes.count))
            return .prompt(best.prompt)
        }
        if let newline {
            let line = LineAccumulator.text(Array(buffer[..<newline]))
            buffer.removeSubrange(...newline)
            return .line(line)
        }
        if buffer.count > LineAccumulator.maximumLineLength {
            let line = LineAccumulator.text(buffer)
            buffer.removeAll()
            return .line(line)
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
