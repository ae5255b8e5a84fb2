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
        /// The device only echoed the command byte: its line editor is waiting at a prompt of a dialogue that
        /// somebody left unfinished.
        case waitingAtPrompt
        /// The device answers `i` but did not start the `w` dialogue in time (no Wi-Fi console, or slow).
        case noWiFiPrompt
        /// SIGINT/SIGTERM arrived during a dialogue.
        case interrupted
        /// The caller gave up in the middle of a dialogue (its `ask` threw): its reason and exit status.
        case gaveUp(reason: String, status: ExitStatus)
    }

    /// What became of the device's dialogue after a failure in the middle of it.
    public enum Closure: Sendable, Equatable {
        /// Driven to its end without storing anything; the device is back at its idle console.
        case closed
        /// The device stored credentials while being closed (it printed its success text).
        case saved
        /// It could not be closed (no answer in time, or the port failed): the device may still wait at a prompt.
        case stillOpen
    }

    public var kind: Kind
    public var port: String
    /// The deadline that applied, in seconds, for messages.
    public var seconds: Double
    /// Set when the failure happened inside a dialogue that had to be closed.
    public var closure: Closure?
    /// What the caller's user can do about a `.missing` value, in the caller's own terms (a command-line tool names
    /// its option, a station its profile key). The library knows *what* is missing (`kind`), not how it is given.
    public var advice: String?

    public init(_ kind: Kind, port: String, seconds: Double, closure: Closure? = nil) {
        self.kind = kind
        self.port = port
        self.seconds = seconds
        self.closure = closure
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .silent, .notConsoleOutput, .promptTimedOut, .stillNotListening, .noDFUDevice, .noWiFiPrompt: .timedOut
        case .malformed, .waitingAtPrompt: .remoteError
        case .dialogue(.missing), .interrupted: .usage
        case .gaveUp(_, let status): status
        case .dialogue: .remoteError
        }
    }

    private var within: String { "within \(Self.format(seconds))" }

    public var message: String {
        switch closure {
        case nil: return summary
        case .closed?: return summary + "; the dialogue was closed without saving anything"
        case .saved?: return summary + "; while closing the dialogue the device saved credentials anyway — check them with a new `particlectl serial wifi`"
        case .stillOpen?: return summary + "; the device may still wait at a prompt: run `particlectl serial close-dialogue --port \(port)`"
        }
    }

    private var summary: String {
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
            return "the device on \(port) asks for \(prompt.summary), but none was given — \(advice ?? "give it and retry")"
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
        case .waitingAtPrompt:
            return "the device on \(port) is waiting at a prompt of an unfinished dialogue (it echoed the command instead of answering) — run `particlectl serial close-dialogue --port \(port)`, then retry"
        case .noWiFiPrompt:
            return "the device on \(port) answers but did not ask for the SSID \(within) after `w` — it has no Wi-Fi setup console (a cellular device?) or is slow: retry with a longer --timeout; if it asks later, `particlectl serial close-dialogue --port \(port)` ends that dialogue"
        case .interrupted:
            return "interrupted during the dialogue with the device on \(port)"
        case .gaveUp(let reason, _):
            return reason
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
