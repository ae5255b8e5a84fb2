/// One line (or PEM block) to send in answer to a prompt, with its terminator.
public struct DialogueAnswer: Sendable, Equatable {
    public var prompt: ListeningModePrompt
    public var bytes: [UInt8]
    /// How many `\r\n`-terminated echo lines the device sends back for it.
    public var echoLines: Int
    /// Passwords and private keys: transcripts mask them, nothing prints them.
    public var isSecret: Bool

    /// `value + "\n"`: the device ends a line at `\n`, and a `\r\n` pair could leave a stray `\n` behind.
    public static func line(_ value: String, for prompt: ListeningModePrompt, secret: Bool = false) -> DialogueAnswer {
        DialogueAnswer(prompt: prompt, bytes: Array((value + "\n").utf8), echoLines: 1, isSecret: secret)
    }

    /// A PEM block: its lines joined by `\n`, then an empty line that ends the block (just the empty line when the
    /// block is empty, which skips an optional PEM prompt).
    public static func block(_ pem: String, for prompt: ListeningModePrompt, secret: Bool = false) -> DialogueAnswer {
        let lines = pem.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let text = lines.map { $0 + "\n" }.joined() + "\n"
        return DialogueAnswer(prompt: prompt, bytes: Array(text.utf8), echoLines: lines.count + 1, isSecret: secret)
    }
}

/// Why a dialogue could not complete.
public enum DialogueFailure: Sendable, Equatable {
    /// The device asked the same prompt again right after our answer: it refused it.
    case rejected(ListeningModePrompt)
    /// A prompt this dialogue has no business seeing.
    case unexpected(ListeningModePrompt)
    /// The device asks for something the caller did not provide (and nobody can be asked).
    case missing(ListeningModePrompt)
    /// The device could not store what it was given (the line it printed says how).
    case saveFailed(String)
    /// The device cannot do what was asked (for example WPA Enterprise on a device without it).
    case unsupported(String)
    /// The claim-code reply named a different code.
    case claimCodeMismatch
}

/// What a dialogue wants next.
public enum DialogueAction: Sendable, Equatable {
    /// Wait for more bytes.
    case wait
    /// Send this answer now (the prompt has fully arrived).
    case send(DialogueAnswer)
    /// The dialogue needs a value it was not given; call `provide(_:for:)` with it, or give up with `.missing`.
    case ask(ListeningModePrompt)
    case finished
    case failed(DialogueFailure)
}

/// A prompt-driven exchange with the console: it waits for whichever known prompt arrives, answers only that, and
/// judges the result lines. Pure: the client does the I/O, tests and the fuzzer feed recorded bytes.
public protocol Dialogue {
    /// The command byte that starts the dialogue.
    var command: ListeningModeCommand { get }
    mutating func append(_ bytes: some Sequence<UInt8>)
    mutating func step() -> DialogueAction
    /// Supplies the value the last `.ask` asked for; returns the answer to send.
    mutating func provide(_ value: String, for prompt: ListeningModePrompt) -> DialogueAction
    /// The prompt the device is waiting at (shown, not answered yet), if any.
    var openPrompt: ListeningModePrompt? { get }
    /// A closer that takes over from here (the bytes received so far, the echo still to skip).
    func closer() -> DialogueCloser
}

/// The `w` dialogue (Wi-Fi credentials).
public struct WiFiDialogue: Dialogue, Sendable {
    public var credentials: WiFiCredentials
    private var scanner = PromptScanner()
    private var lastAnswered: ListeningModePrompt?
    /// Prompts already answered, in order (for tests and transcripts).
    public private(set) var answered: [ListeningModePrompt] = []
    public private(set) var openPrompt: ListeningModePrompt?

    public init(credentials: WiFiCredentials) {
        self.credentials = credentials
    }

    public var command: ListeningModeCommand { .wifi }

    public mutating func append(_ bytes: some Sequence<UInt8>) { scanner.append(bytes) }

    public mutating func step() -> DialogueAction {
        while let event = scanner.next() {
            switch event {
            case .line(let line):
                if line.contains("Particle <3 you!") || line.contains("Spark <3 you!") { return .finished }
                if line.hasPrefix("Derp.") || line.hasPrefix("Error while preparing to store enterprise credentials") {
                    return .failed(.saveFailed(line.trimmingCharacters(in: .whitespaces)))
                }
            case .prompt(let prompt):
                openPrompt = prompt
                if prompt == lastAnswered { return .failed(.rejected(prompt)) }
                return answer(prompt)
            }
        }
        return .wait
    }

    public func closer() -> DialogueCloser { DialogueCloser(open: openPrompt, scanner: scanner) }

    public mutating func provide(_ value: String, for prompt: ListeningModePrompt) -> DialogueAction {
        switch prompt {
        case .ssid: credentials.ssid = value
        case .security, .securityWithEnterprise:
            guard let security = WiFiSecurity(rawValue: value) ?? WiFiSecurity(answer: value) else {
                return .failed(.missing(prompt))
            }
            credentials.security = security
        case .cipher: credentials.cipher = WiFiCipher(rawValue: value) ?? WiFiCipher(answer: value)
        case .password: credentials.password = value
        case .eapType: credentials.eap = EAPType(rawValue: value)
        case .username: credentials.username = value
        case .outerIdentity: credentials.outerIdentity = value
        case .clientCertificate: credentials.clientCertificate = value
        case .privateKey: credentials.privateKey = value
        case .rootCA: credentials.rootCA = value
        case .claimCode: return .failed(.unexpected(prompt))
        }
        return answer(prompt, asking: false)
    }

    private mutating func answer(_ prompt: ListeningModePrompt, asking: Bool = true) -> DialogueAction {
        let action = reply(to: prompt)
        switch action {
        case .send(let answer):
            lastAnswered = prompt
            openPrompt = nil
            answered.append(prompt)
            scanner.expectEcho(lines: answer.echoLines)
        case .ask where !asking:
            return .failed(.missing(prompt))
        default:
            break
        }
        return action
    }

    private func reply(to prompt: ListeningModePrompt) -> DialogueAction {
        let c = credentials
        switch prompt {
        case .ssid:
            return .send(.line(c.ssid, for: prompt))
        case .security, .securityWithEnterprise:
            guard let security = c.security else { return .ask(prompt) }
            if security.isEnterprise && prompt == .security {
                return .failed(.unsupported("it does not support WPA Enterprise networks — choose another security type"))
            }
            return .send(.line(security.answer, for: prompt))
        case .cipher:
            return .send(.line((c.cipher ?? .aes).answer, for: prompt))
        case .password:
            guard let password = c.password else { return .ask(prompt) }
            return .send(.line(password, for: prompt, secret: true))
        case .eapType:
            guard let eap = c.eap else { return .ask(prompt) }
            return .send(.line(eap.answer, for: prompt))
        case .username:
            guard let username = c.username else { return .ask(prompt) }
            return .send(.line(username, for: prompt))
        case .outerIdentity:
            return .send(.line(c.outerIdentity ?? "", for: prompt))
        case .clientCertificate:
            guard let pem = c.clientCertificate else { return .ask(prompt) }
            return .send(.block(pem, for: prompt))
        case .privateKey:
            guard let pem = c.privateKey else { return .ask(prompt) }
            return .send(.block(pem, for: prompt, secret: true))
        case .rootCA:
            return .send(.block(c.rootCA ?? "", for: prompt))
        case .claimCode:
            return .failed(.unexpected(prompt))
        }
    }
}

/// The `C` dialogue: writes a claim code (exactly 63 characters) and checks the device's confirmation.
public struct ClaimCodeDialogue: Dialogue, Sendable {
    public static let length = 63
    public let code: String
    private var scanner = PromptScanner()
    private var sent = false
    public private(set) var openPrompt: ListeningModePrompt?

    public init(code: String) {
        self.code = code
    }

    /// The characters the Particle Cloud puts in a claim code: the base64 alphabet without padding (`A–Z a–z 0–9 +
    /// /`). The cloud's codes are 63 characters of base64 (the Cloud API's example:
    /// `rCFr2KAJNgzJ2rR3Jm1ZoUd7G4Sr3ak7MRHdWrM274eYzInP1+psZ0fP2qNehlj`); anything else did not come from it.
    public static func isClaimCodeCharacter(_ byte: UInt8) -> Bool {
        (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }

    /// A message when the code cannot be a claim code; nil when it can.
    public static func problem(with code: String) -> String? {
        guard code.utf8.count == length else {
            return "a claim code is \(length) characters long; this one has \(code.utf8.count)"
        }
        if let problem = ConsoleText.problem(in: code, named: "claim code") { return problem }
        guard code.utf8.allSatisfy(isClaimCodeCharacter) else {
            return "a claim code contains only the characters the cloud issues (A–Z, a–z, 0–9, + and /) — copy it exactly from `particlectl cloud claim-code` or the Cloud API"
        }
        return nil
    }

    public var command: ListeningModeCommand { .setClaimCode }

    public mutating func append(_ bytes: some Sequence<UInt8>) { scanner.append(bytes) }

    public mutating func step() -> DialogueAction {
        while let event = scanner.next() {
            switch event {
            case .prompt(.claimCode) where !sent:
                sent = true
                let answer = DialogueAnswer.line(code, for: .claimCode)
                scanner.expectEcho(lines: answer.echoLines)
                return .send(answer)
            case .prompt(let prompt):
                openPrompt = prompt
                return .failed(prompt == .claimCode ? .rejected(prompt) : .unexpected(prompt))
            case .line(let line) where sent:
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("Claim code set to:") {
                    let echoed = text.dropFirst("Claim code set to:".count).trimmingCharacters(in: .whitespaces)
                    return echoed == code ? .finished : .failed(.claimCodeMismatch)
                }
                if text.hasPrefix("Sorry, claim code is not") { return .failed(.rejected(.claimCode)) }
            case .line:
                break
            }
        }
        return .wait
    }

    public mutating func provide(_ value: String, for prompt: ListeningModePrompt) -> DialogueAction { .failed(.unexpected(prompt)) }

    public func closer() -> DialogueCloser { DialogueCloser(open: openPrompt, scanner: scanner) }
}
