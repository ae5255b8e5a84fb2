import ParticleCore

/// A listening-mode exchange that did not work out. Messages name the port and say what to do; none contains a secret.
public struct ListeningModeError: ParticleError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Nothing at all came back in time.
        case silent
        /// Output came back, but not the console's (an application running, garbage, wrong speed).
        case notConsoleOutput
        /// The reply was there but could not be read.
        case malformed(String)
        /// A dialogue step failed.
        case dialogue(DialogueFailure)
        /// A prompt did not arrive in time during a dialogue.
        case promptTimedOut(after: ListeningModePrompt?)
        /// `listen`: still no console after the 28800-baud signal.
        case stillNotListening
        /// `dfu`: the device did not come back in DFU mode.
        case noDFUDevice
    }

    public var kind: Kind
    public var port: String
    /// The deadline that applied, in seconds, for messages.
    public var seconds: Double

    public init(_ kind: Kind, port: String, seconds: Double) {
        self.kind = kind
        self.port = port
        self.seconds = seconds
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .silent, .notConsoleOutput, .promptTimedOut, .stillNotListening, .noDFUDevice: .timedOut
        case .malformed: .remoteError
        case .dialogue(.missing): .usage
        case .dialogue: .remoteError
        }
    }

    private var within: String { "within \(Self.format(seconds))" }

    public var message: String {
        switch kind {
        case .silent:
            return "no answer from \(port) \(within) — is the device in listening mode (blinking dark blue)? try `particlectl serial listen`"
        case .notConsoleOutput:
            return "\(port) sent output that is not the listening-mode console \(within) — an application is probably running; put the device in listening mode (`particlectl serial listen`, or hold SETUP until it blinks dark blue)"
        case .malformed(let reason):
            return "\(port) answered, but \(reason) — check that it is a Particle device in listening mode and retry"
        case .dialogue(.rejected(let prompt)):
            return "the device on \(port) refused \(prompt.summary) and asked again — check the value and retry"
        case .dialogue(.unexpected(let prompt)):
            return "the device on \(port) asked for \(prompt.summary), which this command does not answer — check the device type and retry"
        case .dialogue(.missing(let prompt)):
            return "the device on \(port) asks for \(prompt.summary), but none was given — pass \(Self.option(for: prompt))"
        case .dialogue(.saveFailed(let line)):
            return "the device on \(port) could not save the credentials (\"\(UntrustedText.escaped(line))\") — check the security type and the password length, then retry"
        case .dialogue(.unsupported(let reason)):
            return "the device on \(port): \(reason)"
        case .dialogue(.claimCodeMismatch):
            return "the device on \(port) confirmed a different claim code — retry; if it persists, reset the device"
        case .promptTimedOut(let after):
            let step = after.map { " after \($0.summary)" } ?? ""
            return "the device on \(port) stopped answering\(step) (no prompt \(within)) — is it still in listening mode? try `particlectl serial listen` and retry"
        case .stillNotListening:
            return "the device on \(port) did not enter listening mode \(within) — Device OS 6 has no serial trigger and Protected devices never answer: hold SETUP until the LED blinks dark blue"
        case .noDFUDevice:
            return "the device on \(port) did not re-appear in DFU mode \(within) — hold MODE and tap RESET, release MODE when the LED blinks yellow"
        }
    }

    static func option(for prompt: ListeningModePrompt) -> String {
        switch prompt {
        case .ssid: "--ssid"
        case .security, .securityWithEnterprise: "--security"
        case .cipher: "--cipher"
        case .password: "the password on stdin (--password-stdin)"
        case .eapType: "--eap"
        case .username: "--username"
        case .outerIdentity: "--outer-identity"
        case .clientCertificate: "--client-cert FILE"
        case .privateKey: "--private-key FILE"
        case .rootCA: "--root-ca FILE"
        case .claimCode: "--code"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
