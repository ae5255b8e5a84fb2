import Glibc
import ParticleCore

/// Talks to a Particle device's listening-mode console over a serial port: the library face of
/// `particlectl serial …`, for provisioning workflows and factory scripts.
///
/// Every call sends one command and waits at most `timeout` seconds for its reply (dialogues: for each prompt).
/// Errors are `SerialPortError` (the port itself) or `ListeningModeError` (the device's answers), both
/// `ParticleError`s with a one-line message that names the port. Not Sendable: one task owns a client.
///
/// ```swift
/// let client = try ListeningModeClient(path: "/dev/ttyACM0", timeout: 5)
/// let id = try client.identify().deviceID
/// try client.setClaimCode(code)
/// try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: secret))
/// ```
public final class ListeningModeClient {
    public let port: SerialPort
    /// Seconds to wait for a reply, or for each prompt of a dialogue.
    public var timeout: Double
    /// After `Device ID:`, how long the device must stay quiet before the key/value lines count as complete.
    public var quietMilliseconds: Int64 = 100
    /// Receives every exchange, with secrets masked (for `--verbose`).
    public var transcript: ((TranscriptEntry) -> Void)?
    /// Looked at (every 100 ms) while a dialogue waits for the device: true ends the dialogue, closing it without
    /// saving (the CLI passes "SIGINT or SIGTERM arrived").
    public var shouldStop: (() -> Bool)?
    private var masker = SecretMasker()

    /// Opens `path` (exclusively) at 9600 baud with DTR asserted.
    public convenience init(path: String, timeout: Double = 5) throws(SerialPortError) {
        self.init(port: try SerialPort(path: path), timeout: timeout)
    }

    public init(port: SerialPort, timeout: Double = 5) {
        self.port = port
        self.timeout = timeout
    }

    public var path: String { port.path }

    public func close() { port.close() }

    // MARK: - Read-only commands

    /// `i`: the device ID (24 lower-case hex digits) and, when reported, serial number, IMEI, ICCID.
    public func identify() throws -> IdentifyReply {
        guard case .identity(let identity) = try request(.identity) else { throw malformed() }
        return identity
    }

    /// `m`: the MAC address, `aa:bb:cc:dd:ee:ff`.
    public func mac() throws -> String {
        guard case .mac(let mac) = try request(.mac) else { throw malformed() }
        return mac
    }

    /// `v`: the Device OS version, e.g. `5.9.0` or `6.2.0-rc.1`.
    public func version() throws -> String {
        guard case .version(let version) = try request(.version) else { throw malformed() }
        return version
    }

    /// `s`: platform and firmware modules.
    public func inspect() throws -> SystemInfo {
        guard case .systemInfo(let info) = try request(.systemInfo) else { throw malformed() }
        return info
    }

    /// `c`: whether the device has been claimed by an account.
    public func isClaimed() throws -> Bool {
        guard case .claimed(let claimed) = try request(.claimed) else { throw malformed() }
        return claimed
    }

    // MARK: - Dialogues

    /// `C`: stores a claim code (63 characters) and checks that the device confirms exactly that code. Throws
    /// `UserError(.usage)` before sending anything when the code cannot be a claim code.
    public func setClaimCode(_ code: String) throws {
        if let problem = ClaimCodeDialogue.problem(with: code) { throw UserError(.usage, problem) }
        var dialogue = ClaimCodeDialogue(code: code)
        try run(&dialogue, ask: nil)
    }

    /// `w`: stores Wi-Fi credentials, answering only the prompts the device shows (its own scan may make the
    /// security and cipher questions unnecessary). When it asks for something `credentials` lacks, `ask` is called
    /// with the prompt (return nil, or throw, to give up); without `ask` that is a `.missing` error. On success the
    /// device leaves listening mode and connects.
    ///
    /// The device is identified first (`i`), while no dialogue can be open: a cellular console (it ignores `w`) is
    /// refused there, and after `w` nothing but answers is ever sent, so a slow device is never typed into. A
    /// failure in the middle of the dialogue (a missing or refused value, `ask` giving up, `shouldStop`) closes the
    /// dialogue without saving (`DialogueCloser`) before the error is thrown; the error's `closure` says how that went.
    public func configureWiFi(_ credentials: WiFiCredentials, ask: ((ListeningModePrompt) throws -> String?)? = nil) throws {
        if let problem = credentials.problem() { throw UserError(.usage, problem) }
        let identity = try identify()
        if identity.imei != nil || identity.iccid != nil {
            throw ListeningModeError(
                .dialogue(.unsupported("it has no Wi-Fi setup console (a cellular device) — Wi-Fi needs a Photon, P1, Argon, P2 or M-SoM")),
                port: path, seconds: timeout)
        }
        var dialogue = WiFiDialogue(credentials: credentials)
        do {
            try run(&dialogue, ask: ask)
        } catch let error as ListeningModeError where error.kind == .silent {
            throw ListeningModeError(.noWiFiPrompt, port: path, seconds: timeout)
        }
    }

    /// Ends a dialogue somebody left unfinished (the device echoes commands instead of answering them): erases what
    /// may have been typed at the open prompt, ends the line, and closes the dialogue without saving. Returns
    /// `.closed` (also when no dialogue was open: then the device simply ignored those bytes and answers `i`), or
    /// `.saved` when the device stored credentials while being closed.
    public func closeAbandonedDialogue() throws -> ListeningModeError.Closure {
        // BS erases one character (at the start of a line it is ignored); a full line takes the next byte as its
        // end instead, which is as good. Then an empty line: each prompt either asks again (and shows itself) or
        // takes the empty answer and moves on.
        try send([UInt8](repeating: 0x08, count: 66) + [0x0a])
        // Collect until the device is quiet: a device that was still busy (a late prompt) may show its prompt
        // twice, and only the last thing it printed tells where it waits now.
        var received: [UInt8] = []
        let overall = MonotonicDeadline(seconds: timeout)
        while !overall.hasPassed {
            let wait = received.isEmpty ? overall
                : MonotonicDeadline(millisecondsFromNow: min(2 * quietMilliseconds, Int64(overall.remainingMilliseconds)))
            do {
                received += try receive(deadline: wait)
            } catch let error as SerialPortError where error.kind == .timedOut {
                break
            }
        }
        if received.isEmpty {
            // Nothing to close: the idle console dropped those bytes. Make sure it is there.
            _ = try identify()
            return .closed
        }
        var scanner = PromptScanner()
        scanner.append(received)
        var open: ListeningModePrompt?
        var decided: DialogueCloser.Action?
        while let event = scanner.next() {
            switch event {
            case .prompt(let prompt):
                open = prompt
                decided = nil
            case .line(let line):
                open = nil
                decided = DialogueCloser.result(of: line) ?? decided
            }
        }
        if open == nil, let decided { return decided == .saved ? .saved : .closed }
        var closer = DialogueCloser(open: open)
        do {
            return try drive(&closer)
        } catch let error as SerialPortError where error.kind == .timedOut {
            if open != nil {
                throw ListeningModeError(.promptTimedOut(after: open), port: path, seconds: timeout, closure: .stillOpen)
            }
            // Output, but no prompt and no end of a dialogue: ask who is there (an application, the idle console).
            _ = try identify()
            return .closed
        }
    }

    /// `x`: leaves listening mode. The device prints nothing.
    public func exitListeningMode() throws {
        try send([ListeningModeCommand.exit.byte])
    }

    // MARK: - Speed signals

    /// Touches the port at a magic line speed: 28800 asks Device OS 0.5–5.x to enter listening mode, 14400 resets
    /// any Device OS into DFU mode. The port is held at that speed for `holdMilliseconds`, then closed.
    public static func signal(_ speed: MagicSpeed, path: String, holdMilliseconds: UInt32 = 100) throws(SerialPortError) {
        let port = try SerialPort(path: path, speed: speed.rawValue)
        usleep(holdMilliseconds * 1000)
        port.close()
    }

    // MARK: - Engine

    /// Sends one command byte and decodes its reply.
    public func request(_ expectation: ReplyDecoder.Expectation) throws -> ListeningModeReply {
        let command = expectation.command.byte
        try send([command])
        var decoder = ReplyDecoder(expecting: expectation)
        let deadline = MonotonicDeadline(seconds: timeout)
        var meaningful = 0
        var received: [UInt8] = []
        while true {
            let wait = decoder.isCollecting
                ? MonotonicDeadline(millisecondsFromNow: min(quietMilliseconds, Int64(deadline.remainingMilliseconds)))
                : deadline
            let bytes: [UInt8]
            do {
                bytes = try receive(deadline: wait)
            } catch let error as SerialPortError where error.kind == .timedOut {
                if let reply = decoder.finish() { return reply }
                if Self.looksLikeAnOpenPrompt(received, after: command) {
                    throw ListeningModeError(.waitingAtPrompt, port: path, seconds: timeout)
                }
                throw ListeningModeError(meaningful > 0 ? .notConsoleOutput : .silent, port: path, seconds: timeout)
            }
            if received.count < 512 { received += bytes.prefix(512 - received.count) }
            meaningful += bytes.count { $0 != 0x0d && $0 != 0x0a && $0 != 0x20 }
            decoder.append(bytes)
            do {
                if let reply = try decoder.nextReply() { return reply }
            } catch {
                throw ListeningModeError(.malformed(error.reason), port: path, seconds: timeout)
            }
        }
    }

    /// Runs a closer to the device's last line (per-prompt deadline); throws what the port throws.
    private func drive(_ closer: inout DialogueCloser) throws -> ListeningModeError.Closure {
        var deadline = MonotonicDeadline(seconds: timeout)
        while true {
            switch closer.step() {
            case .closed: return .closed
            case .saved: return .saved
            case .send(let answer):
                try send(answer.bytes)
                deadline = MonotonicDeadline(seconds: timeout)
            case .wait:
                closer.append(try receive(deadline: deadline))
            }
        }
    }

    /// Whether the reply to a command is what a line editor at a dialogue's prompt does with it: echo it and wait
    /// (the whole reply is the byte, with no line end), or end a full one-character line and ask again (a prompt's
    /// text comes back).
    static func looksLikeAnOpenPrompt(_ received: [UInt8], after command: UInt8) -> Bool {
        if received.last == command && !received.contains(0x0a) { return true }
        return ListeningModePrompt.allCases.contains { PromptScanner.find(Array($0.text.utf8), in: received) != nil }
    }

    /// Drives a dialogue to its end: waits for each prompt (per-prompt deadline), answers, consumes the echo. A
    /// failure while the device waits at a prompt closes the dialogue first (see `configureWiFi`).
    public func run<D: Dialogue>(_ dialogue: inout D, ask: ((ListeningModePrompt) throws -> String?)?) throws {
        try send([dialogue.command.byte])
        var deadline = MonotonicDeadline(seconds: timeout)
        var lastPrompt: ListeningModePrompt?
        var meaningful = 0
        var pending: DialogueAction?
        while true {
            let action = pending ?? dialogue.step()
            pending = nil
            switch action {
            case .wait:
                if shouldStop?() == true {
                    throw close(dialogue, ListeningModeError(.interrupted, port: path, seconds: timeout))
                }
                let bytes: [UInt8]
                do {
                    // With a stop condition, wake up at least every 100 ms to look at it.
                    let slice = shouldStop == nil ? deadline
                        : MonotonicDeadline(millisecondsFromNow: min(100, Int64(deadline.remainingMilliseconds)))
                    bytes = try receive(deadline: slice)
                } catch let error as SerialPortError where error.kind == .cancelled {
                    // The task was cancelled (a station stopping, Ctrl-C in an async caller): close the dialogue first.
                    throw close(dialogue, error)
                } catch let error as SerialPortError where error.kind == .timedOut {
                    if !deadline.hasPassed { continue }
                    if let lastPrompt {
                        throw ListeningModeError(.promptTimedOut(after: lastPrompt), port: path, seconds: timeout)
                    }
                    throw ListeningModeError(meaningful > 0 ? .notConsoleOutput : .silent, port: path, seconds: timeout)
                }
                meaningful += bytes.count { $0 != 0x0d && $0 != 0x0a && $0 != 0x20 }
                dialogue.append(bytes)
            case .send(let answer):
                if answer.isSecret { masker.add(answer.bytes) }
                try send(answer.bytes, secret: answer.isSecret)
                lastPrompt = answer.prompt
                deadline = MonotonicDeadline(seconds: timeout)
            case .ask(let prompt):
                let value: String?
                do {
                    value = try ask?(prompt)
                } catch {
                    throw close(dialogue, error)
                }
                guard let value else {
                    throw close(dialogue, ListeningModeError(.dialogue(.missing(prompt)), port: path, seconds: timeout))
                }
                if prompt == .password || prompt == .privateKey { masker.add(Array(value.utf8)) }
                pending = dialogue.provide(value, for: prompt)
            case .finished:
                return
            case .failed(let failure):
                let error = ListeningModeError(.dialogue(failure), port: path, seconds: timeout)
                // Failures read from a result line (save failed, claim code refused) end the dialogue by themselves.
                throw dialogue.openPrompt == nil ? error : close(dialogue, error)
            }
        }
    }

    /// When the device waits at a prompt (or may show one any moment), drives the dialogue to its end without
    /// saving, then returns `error` with the outcome (a `ListeningModeError` gets it in `closure`).
    private func close<D: Dialogue>(_ dialogue: D, _ error: any Error) -> any Error {
        var closer = dialogue.closer()
        // Closing must not be cut short by the cancellation that may have caused it: it has its own deadlines.
        let cancellation = port.cancellation
        port.cancellation = nil
        let closure = (try? drive(&closer)) ?? .stillOpen
        port.cancellation = cancellation
        if error is SerialPortError { return error }
        if var failure = error as? ListeningModeError {
            failure.closure = closure
            return failure
        }
        let reason = (error as? any ParticleError).map { ($0.message, $0.exitStatus) } ?? ("\(error)", ExitStatus.usage)
        return ListeningModeError(.gaveUp(reason: reason.0, status: reason.1), port: path, seconds: timeout, closure: closure)
    }

    private func send(_ bytes: [UInt8], secret: Bool = false) throws {
        if let transcript {
            transcript(TranscriptEntry(direction: .sent, bytes: secret ? Array("***\n".utf8) : bytes))
        }
        try port.write(bytes, deadline: MonotonicDeadline(seconds: timeout))
    }

    private func receive(deadline: MonotonicDeadline) throws -> [UInt8] {
        let bytes = try port.read(deadline: deadline)
        if let transcript {
            let shown = masker.mask(bytes)
            if !shown.isEmpty { transcript(TranscriptEntry(direction: .received, bytes: shown)) }
        }
        return bytes
    }

    private func malformed() -> ListeningModeError {
        ListeningModeError(.malformed("the reply does not fit the command"), port: path, seconds: timeout)
    }
}
