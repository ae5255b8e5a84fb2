import ParticleCore
import Foundation

/// A reply to one of the read-only commands.
public enum ListeningModeReply: Sendable, Equatable {
    case identity(IdentifyReply)
    case mac(String)
    case version(String)
    case systemInfo(SystemInfo)
    case claimed(Bool)
}

/// The device answered, but not in a form we can read.
public struct MalformedReply: Error, Sendable, Equatable {
    /// What was wrong, for the user ("the `s` reply is not valid JSON").
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Decodes the reply to one read-only command from bytes that arrive in arbitrary pieces, skipping stray lines (log
/// output, the echo of earlier answers, blank lines) before it. Pure: it never touches a file descriptor.
///
/// Feed it with `append(_:)`, then call `nextReply()`: nil means "need more bytes". The two-form `i` reply has no end
/// marker (its key/value lines simply stop), so after `Device ID:` the decoder reports `isCollecting` and the caller
/// ends it with `finish()` once the device has been quiet for a moment.
public struct ReplyDecoder: Sendable {
    public enum Expectation: Sendable {
        case identity, mac, version, systemInfo, claimed

        public var command: ListeningModeCommand {
            switch self {
            case .identity: .identify
            case .mac: .mac
            case .version: .version
            case .systemInfo: .systemInfo
            case .claimed: .claimed
            }
        }
    }

    public let expectation: Expectation
    private var lines = LineAccumulator()
    private var queued: [String] = []
    private var collecting: IdentifyReply?
    private var sawMACHeader = false
    /// Bytes of output that were not part of the reply (stray logs, an application's output, garbage).
    public private(set) var ignoredByteCount = 0

    public init(expecting expectation: Expectation) {
        self.expectation = expectation
    }

    /// True after `Device ID:` while key/value lines may still follow.
    public var isCollecting: Bool { collecting != nil }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        queued += lines.append(bytes)
    }

    /// The reply, once complete; nil while more bytes are needed.
    public mutating func nextReply() throws(MalformedReply) -> ListeningModeReply? {
        while !queued.isEmpty {
            let line = queued.removeFirst()
            if let reply = try consume(line) { return reply }
        }
        return nil
    }

    /// Ends the reply after the device fell silent: returns a collected two-form identity, else nil.
    public mutating func finish() -> ListeningModeReply? {
        if let partial = lines.flush() { _ = try? consume(partial) }
        guard let identity = collecting else { return nil }
        collecting = nil
        return .identity(identity)
    }

    // MARK: - Per line

    private mutating func consume(_ raw: String) throws(MalformedReply) -> ListeningModeReply? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return nil }
        switch expectation {
        case .identity: return try identity(line)
        case .mac: return try mac(line)
        case .version: return version(line) ?? ignore(raw)
        case .systemInfo: return try systemInfo(line)
        case .claimed: return claimed(line) ?? ignore(raw)
        }
    }

    private mutating func ignore(_ line: String) -> ListeningModeReply? {
        ignoredByteCount += line.utf8.count + 1
        return nil
    }

    private mutating func identity(_ line: String) throws(MalformedReply) -> ListeningModeReply? {
        if var identity = collecting {
            guard let (label, value) = Self.keyValue(line) else {
                // Anything else ends the key/value block.
                collecting = nil
                return .identity(identity)
            }
            switch label {
            case "Serial Number": identity.serialNumber = value
            case "IMEI": identity.imei = value
            case "ICCID": identity.iccid = value
            case "Cell Radio Version": identity.cellRadioVersion = value
            case "Device Secret": break // a secret: never kept, never shown
            default: identity.otherProperties.append(.init(label: label, value: value))
            }
            collecting = identity
            return nil
        }
        for prefix in ["Your device id is", "Your core id is"] where line.hasPrefix(prefix) {
            let id = try Self.deviceID(line.dropFirst(prefix.count))
            return .identity(IdentifyReply(deviceID: id))
        }
        if line.hasPrefix("Device ID:") {
            collecting = IdentifyReply(deviceID: try Self.deviceID(line.dropFirst("Device ID:".count)))
            return nil
        }
        return ignore(line)
    }

    private mutating func mac(_ line: String) throws(MalformedReply) -> ListeningModeReply? {
        if line.hasPrefix("Your device MAC address is") {
            sawMACHeader = true
            let rest = line.dropFirst("Your device MAC address is".count).trimmingCharacters(in: .whitespaces)
            if rest.isEmpty { return nil }
            return try mac(rest)
        }
        guard sawMACHeader else { return ignore(line) }
        guard let address = Self.macAddress(line) else {
            throw MalformedReply(reason: "the MAC address reply is not six hex bytes")
        }
        return .mac(address)
    }

    private func version(_ line: String) -> ListeningModeReply? {
        guard line.hasPrefix("system firmware version:") else { return nil }
        let rest = line.dropFirst("system firmware version:".count).drop { $0 == " " || $0 == "\t" }
        let token = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" || $0 == "+") }
        return token.isEmpty ? nil : .version(String(token))
    }

    private mutating func systemInfo(_ line: String) throws(MalformedReply) -> ListeningModeReply? {
        guard line.hasPrefix("{") else { return ignore(line) }
        guard line.hasSuffix("}") else { throw MalformedReply(reason: "the system information JSON is incomplete") }
        do {
            return .systemInfo(try JSONDecoder().decode(SystemInfo.self, from: Data(line.utf8)))
        } catch {
            throw MalformedReply(reason: "the system information is not the JSON Device OS sends")
        }
    }

    private func claimed(_ line: String) -> ListeningModeReply? {
        guard line.hasPrefix("Device claimed:") else { return nil }
        switch line.dropFirst("Device claimed:".count).trimmingCharacters(in: .whitespaces) {
        case "yes": return .claimed(true)
        case "no": return .claimed(false)
        default: return nil
        }
    }

    // MARK: - Field parsers

    static func deviceID(_ text: Substring) throws(MalformedReply) -> DeviceID {
        guard let id = DeviceID(text.trimmingCharacters(in: .whitespaces)) else {
            throw MalformedReply(reason: "the device ID is not 24 hex digits")
        }
        return id
    }

    /// `aa:bb:cc:dd:ee:ff`, lower-cased; nil unless exactly six hex bytes.
    public static func macAddress(_ text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy(ASCIIHex.isDigit) }) else {
            return nil
        }
        return text.lowercased()
    }

    /// `Label: value` where the label is letters and spaces.
    static func keyValue(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let label = line[..<colon]
        guard !label.isEmpty, label.first?.isLetter == true,
              label.allSatisfy({ ($0.isASCII && $0.isLetter) || $0 == " " || $0 == "_" || ($0.isASCII && $0.isNumber) })
        else { return nil }
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        return (String(label), value)
    }
}
