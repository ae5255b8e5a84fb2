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
    public func identify() throws -> DeviceIdentity {
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
    /// with the prompt (return nil to give up); without `ask` that is a `.missing` error. On success the device
    /// leaves listening mode and connects.
    public func configureWiFi(_ credentials: WiFiCredentials, ask: ((ListeningModePrompt) -> String?)? = nil) throws {
        if let problem = credentials.problem() { throw UserError(.usage, problem) }
        var dialogue = WiFiDialogue(credentials: credentials)
        do {
            try run(&dialogue, ask: ask)
        } catch let error as ListeningModeError where error.kind == .silent {
            // Cellular consoles ignore `w`. Tell that apart from a device that is not listening at all.
            if (try? identify()) != nil {
                throw ListeningModeError(
                    .dialogue(.unsupported("it has no Wi-Fi setup console (a cellular device?) — Wi-Fi needs a Photon, P1, Argon, P2 or M-SoM")),
                    port: path, seconds: timeout)
            }
            throw error
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
        try send([expectation.command.byte])
        var decoder = ReplyDecoder(expecting: expectation)
        let deadline = MonotonicDeadline(seconds: timeout)
        var meaningful = 0
        while true {
            let wait = decoder.isCollecting
                ? MonotonicDeadline(millisecondsFromNow: min(quietMilliseconds, Int64(deadline.remainingMilliseconds)))
                : deadline
            let bytes: [UInt8]
            do {
                bytes = try receive(deadline: wait)
            } catch let error as SerialPortError where error.kind == .timedOut {
                if let reply = decoder.finish() { return reply }
                throw ListeningModeError(meaningful > 0 ? .notConsoleOutput : .silent, port: path, seconds: timeout)
            }
            meaningful += bytes.count { $0 != 0x0d && $0 != 0x0a && $0 != 0x20 }
            decoder.append(bytes)
            do {
                if let reply = try decoder.nextReply() { return reply }
            } catch {
                throw ListeningModeError(.malformed(error.reason), port: path, seconds: timeout)
            }
        }
    }

    /// Drives a dialogue to its end: waits for each prompt (per-prompt deadline), answers, consumes the echo.
    public func run<D: Dialogue>(_ dialogue: inout D, ask: ((ListeningModePrompt) -> String?)?) throws {
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
                let bytes: [UInt8]
                do {
                    bytes = try receive(deadline: deadline)
                } catch let error as SerialPortError where error.kind == .timedOut {
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
                guard let ask, let value = ask(prompt) else {
                    throw ListeningModeError(.dialogue(.missing(prompt)), port: path, seconds: timeout)
                }
                if prompt == .password || prompt == .privateKey { masker.add(Array(value.utf8)) }
                pending = dialogue.provide(value, for: prompt)
            case .finished:
                return
            case .failed(let failure):
                throw ListeningModeError(.dialogue(failure), port: path, seconds: timeout)
            }
        }
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
