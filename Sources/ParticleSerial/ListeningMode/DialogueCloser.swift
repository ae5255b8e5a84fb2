/// Ends an unfinished dialogue (`w` or `C`) so that the device stores nothing and returns to its idle console.
///
/// Device OS has no way to cancel a dialogue: every prompt loops until it gets an answer it accepts, and the `w`
/// dialogue always ends with an attempt to save (DOS `WiFiSetupConsole::handle`). So the closer gives each prompt
/// the answer that leads to a save the device *refuses*:
///
/// | prompt | answer | why |
/// |---|---|---|
/// | `SSID: ` | `particlectl-closed` | must not be empty (an empty SSID is asked again); a name no scan should find, so the security prompt follows |
/// | `Security …: ` | `1` (WEP) | a security that needs a key |
/// | `Security Cipher …: ` | `1` | any valid choice |
/// | `Password: ` | empty | an empty key fails the key-length check (WEP 5–58, WPA 8–64): "Derp. Sorry, we couldn't save the credentials." |
/// | `EAP Type …: ` | `0` (PEAP) | then empty username, password, outer identity and root CA: an incomplete enterprise configuration is refused |
/// | PEM prompts | empty line | ends the block empty |
/// | `Enter 63-digit claim code: ` | empty | "Sorry, claim code is not 63 characters long. Claim code unchanged." |
///
/// Limits: the key-length refusal is the Photon/P1 HAL's (specs/listening-mode.md §3 item 8); the Gen 3/4 HALs were
/// not checked, and a network that really is called `particlectl-closed` and is open would be saved. The closer
/// reports what the device said at the end, so a save is never hidden: `.closed` (nothing stored) or `.saved`.
public struct DialogueCloser: Sendable {
    public static let placeholderSSID = "particlectl-closed"

    public enum Action: Sendable, Equatable {
        case wait
        case send(DialogueAnswer)
        /// The device ended the dialogue without storing anything and is back at its idle console.
        case closed
        /// The device saved credentials after all (it printed its success text).
        case saved
    }

    private var scanner: PromptScanner
    private var pending: ListeningModePrompt?

    /// `open`: the prompt the device is waiting at, when known (it was shown and not answered). `scanner` carries
    /// the bytes already received (and the echo still to skip) from the dialogue being closed.
    public init(open: ListeningModePrompt?, scanner: PromptScanner = PromptScanner()) {
        self.scanner = scanner
        pending = open
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) { scanner.append(bytes) }

    public mutating func step() -> Action {
        if let prompt = pending {
            pending = nil
            return answer(prompt)
        }
        while let event = scanner.next() {
            switch event {
            case .prompt(let prompt):
                return answer(prompt)
            case .line(let line):
                if let result = Self.result(of: line) { return result }
            }
        }
        return .wait
    }

    /// `.closed` or `.saved` when `line` is a dialogue's last line; nil otherwise.
    public static func result(of line: String) -> Action? {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("Derp.") || text.hasPrefix("Error while preparing to store enterprise credentials")
            || text.hasPrefix("Sorry, claim code is not") {
            return .closed
        }
        if text.contains("Particle <3 you!") || text.contains("Spark <3 you!") || text.hasPrefix("Claim code set to:") {
            return .saved
        }
        return nil
    }

    private mutating func answer(_ prompt: ListeningModePrompt) -> Action {
        let answer = prompt.isMultiLine ? DialogueAnswer.block("", for: prompt) : DialogueAnswer.line(Self.closingValue(for: prompt), for: prompt)
        scanner.expectEcho(lines: answer.echoLines)
        return .send(answer)
    }

    /// The answer that keeps the dialogue from storing anything (see the table above).
    public static func closingValue(for prompt: ListeningModePrompt) -> String {
        switch prompt {
        case .ssid: placeholderSSID
        case .security, .securityWithEnterprise: WiFiSecurity.wep.answer
        case .cipher: WiFiCipher.aes.answer
        case .eapType: EAPType.peap.answer
        case .password, .username, .outerIdentity, .claimCode, .clientCertificate, .privateKey, .rootCA: ""
        }
    }
}
