import ParticleCore

/// Everything that can go wrong talking to a device's SoftAP. Each case is one line for the user, with what to do,
/// and an exit status from the README's table. No case ever carries a password.
public enum SoftAPError: ParticleError, Equatable {
    /// The TCP connection could not be made (refused, unreachable, …).
    case connectFailed(address: String, reason: String)
    case connectTimedOut(address: String, seconds: Double)
    case replyTimedOut(command: SoftAPRequest.Command, seconds: Double)
    /// The device answered without JSON (TCP: only the `\n\n` preamble; HTTP: 200 with an empty body): its way of
    /// rejecting a request it cannot parse.
    case emptyReply(command: SoftAPRequest.Command)
    /// The connection was closed or reset before a single byte of the reply: a transport failure, not an answer.
    case noReply(command: SoftAPRequest.Command, reset: Bool)
    /// The request was cancelled by its caller (the socket was closed at once).
    case cancelled(command: SoftAPRequest.Command)
    /// The connection ended (or was reset) inside a reply.
    case closedMidReply(command: SoftAPRequest.Command)
    /// The bytes are not JSON (or not the HTTP the device speaks).
    case invalidReply(command: SoftAPRequest.Command, reason: String)
    /// JSON, but not the shape this command answers with.
    case malformedReply(command: SoftAPRequest.Command, reason: String)
    case httpStatus(command: SoftAPRequest.Command, status: Int)
    /// A `{"r":N}` reply with N ≠ 0.
    case resultCode(command: SoftAPRequest.Command, code: Int)
    case noPublicKey(result: Int)
    case invalidPublicKey(String)
    case encryptionFailed
    case sendFailed(command: SoftAPRequest.Command, reason: String)
    /// Input rejected before anything was sent.
    case invalidInput(String)
    case networkNotFound(ssid: String)
    /// The network's security is not known (neither given nor found by a scan) and cannot be guessed.
    case securityUnknown
    /// An enterprise network was given a plain password: it needs an EAP method and its credentials.
    case enterpriseCredentialsMissing(ssid: String)
    /// A device address that is not `HOST` or `HOST:PORT`.
    case badAddress(String, reason: String)

    /// What the user can change to get past this error, named by what it is, not by any program's flags: each
    /// front end says it in its own words (`message(naming:)`).
    public enum Remedy: Sendable, Hashable, CaseIterable {
        /// The device's address.
        case address
        /// The device's address and the protocol (TCP or HTTP).
        case addressAndProtocol
        /// How long to wait for a reply.
        case timeout
        /// The network's security type and channel, instead of the scan.
        case securityAndChannel
        /// The network's security type.
        case security
        /// An EAP method with its credentials (PEAP: identity and password; TLS: certificate and private key).
        case enterpriseCredentials

        /// How the library says it when nobody names it otherwise.
        public var text: String {
            switch self {
            case .address: "check the device's address"
            case .addressAndProtocol: "check the device's address and protocol"
            case .timeout: "allow a longer reply timeout"
            case .securityAndChannel: "give the network's security and channel instead of the scan"
            case .security: "give the network's security (one of \(SoftAPSecurity.acceptedNames.joined(separator: ", ")))"
            case .enterpriseCredentials: "give an EAP method: PEAP with an identity and password, or TLS with a certificate and private key"
            }
        }
    }

    /// The remedy this error's message ends with, if any.
    public var remedy: Remedy? {
        switch self {
        case .connectTimedOut, .invalidReply, .malformedReply: .address
        case .httpStatus: .addressAndProtocol
        case .replyTimedOut: .timeout
        case .networkNotFound: .securityAndChannel
        case .securityUnknown: .security
        case .enterpriseCredentialsMissing: .enterpriseCredentials
        default: nil
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .connectFailed, .closedMidReply, .noReply, .sendFailed: .io
        case .connectTimedOut, .replyTimedOut, .cancelled: .timedOut
        case .emptyReply, .invalidReply, .malformedReply, .httpStatus, .resultCode, .noPublicKey, .invalidPublicKey:
            .remoteError
        case .encryptionFailed, .invalidInput, .securityUnknown, .enterpriseCredentialsMissing, .badAddress: .usage
        case .networkNotFound: .notFound
        }
    }

    public var message: String { message(naming: \.text) }

    /// The message with the remedy in the caller's words (a CLI names its flags: "check --address").
    public func message(naming remedy: (Remedy) -> String) -> String {
        switch self {
        case let .connectFailed(address, reason):
            "cannot connect to the device's SoftAP at \(address) (\(reason)); join its Photon-XXXXXX Wi-Fi network and check it is in listening mode (blinking blue)"
        case let .connectTimedOut(address, seconds):
            "no answer from \(address) within \(Self.format(seconds)) s; join the device's Photon-XXXXXX Wi-Fi network or \(remedy(.address))"
        case let .replyTimedOut(command, seconds):
            "the device did not finish its \(command.rawValue) reply within \(Self.format(seconds)) s; retry, or \(remedy(.timeout))"
        case let .emptyReply(command):
            "device rejected the request: \(command.rawValue) got an empty reply (the device could not parse what was sent)"
        case let .noReply(command, reset):
            "the connection was \(reset ? "reset" : "closed") before any reply to \(command.rawValue); retry, and stay close to the device"
        case let .cancelled(command):
            "\(command.rawValue) was cancelled before the device answered"
        case let .closedMidReply(command):
            "the connection closed in the middle of the \(command.rawValue) reply; retry, and stay close to the device"
        case let .invalidReply(command, reason):
            "the device's \(command.rawValue) reply is not valid (\(reason)); is it a Photon/P1 SoftAP? \(remedy(.address))"
        case let .malformedReply(command, reason):
            "the device's \(command.rawValue) reply is not what a Photon sends (\(reason)); \(remedy(.address))"
        case let .httpStatus(command, status):
            "the device answered HTTP \(status) to \(command.rawValue); \(remedy(.addressAndProtocol))"
        case let .resultCode(command, code):
            "the device refused \(command.rawValue) with code \(code)\(Self.meaning(of: code, for: command))"
        case let .noPublicKey(result):
            "the device has no public key (r=\(result)); restore its keys with `particle keys doctor` over USB"
        case let .invalidPublicKey(reason):
            "the device's public key is unusable: \(reason)"
        case .encryptionFailed:
            "cannot encrypt the secret with the device's key (is it longer than 117 bytes?)"
        case let .sendFailed(command, reason):
            "sending \(command.rawValue) failed (\(reason)); retry, and stay close to the device"
        case let .invalidInput(text):
            text
        case let .networkNotFound(ssid):
            "no network named \"\(UntrustedText.escaped(ssid))\" in the device's scan; check the name, move closer, or \(remedy(.securityAndChannel))"
        case .securityUnknown:
            "the network's security is unknown; \(remedy(.security))"
        case let .enterpriseCredentialsMissing(ssid):
            "\"\(UntrustedText.escaped(ssid))\" is an enterprise network: \(remedy(.enterpriseCredentials))"
        case let .badAddress(text, reason):
            "address \(UntrustedText.escaped(text)): \(reason)"
        }
    }

    /// What a device result code means, per the firmware (empty when unknown).
    static func meaning(of code: Int, for command: SoftAPRequest.Command) -> String {
        switch (command, code) {
        case (.set, -1): ": only the claim code key \"cc\" with a non-empty value is accepted"
        case (.configureAP, -2): ": the device cannot see that network (WPA needs it in range); check the SSID or move closer"
        case (.configureAP, -3): ": the SSID must be 1 to 32 bytes"
        case (.configureAP, -4): ": wrong password length (WPA/WPA2: 8 to 64 characters, WEP: 5 to 58)"
        case (.configureAP, -16640): ": it could not decrypt the password (key mismatch); run the command again"
        case (.configureAP, _) where code < 0: ": it could not decrypt the password (mbedTLS error); run the command again"
        default: ""
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
