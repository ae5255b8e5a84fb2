import Foundation
import ParticleCore

/// Talks to a Photon/P1 in listening mode over its SoftAP (raw TCP on 5609 or HTTP on 80).
///
/// Each call is one request on its own connection, with deadlines on connect and reply. Calls that fail on the way
/// (connection refused, timeout, dropped or garbled reply) are retried a bounded number of times with a short pause;
/// answers from the device (`r≠0`, an empty "rejected" reply) are not. `connect()` is never retried: the device drops
/// its AP once it has acted. The blocking socket work runs on a thread of its own, never on the concurrency pool.
///
/// The calls must be made one after another (the device shares one instance of each command between its servers).
public struct SoftAPClient: Sendable {
    public struct Options: Sendable {
        /// Seconds to open the connection.
        public var connectTimeout: Double = 5
        /// Seconds for the reply of cheap commands (version, device-id, public-key, set, connect-ap).
        public var replyTimeout: Double = 5
        /// Seconds for `scan-ap` and `configure-ap`, which scan the air (a WPA configure scans twice).
        public var slowReplyTimeout: Double = 30
        /// Tries per command (1 = no retry). `connect-ap` always gets exactly one.
        public var attempts: Int = 3
        /// Seconds between tries.
        public var retryPause: Double = 0.5
        /// Receives one line per request and reply (never a password; encrypted values are elided).
        public var transcript: (@Sendable (String) -> Void)?

        public init() {}

        /// One deadline for every reply (connect, cheap and slow commands alike).
        public init(timeout: Double) {
            connectTimeout = timeout
            replyTimeout = timeout
            slowReplyTimeout = timeout
        }
    }

    public let address: SoftAPAddress
    public var options: Options

    public init(address: SoftAPAddress = SoftAPAddress(), options: Options = Options()) {
        self.address = address
        self.options = options
    }

    /// `SoftAPClient(address: "192.168.0.1", protocol: .tcp, timeout: 5)`; `timeout` nil keeps the defaults
    /// (5 s, 30 s for scan and configure).
    public init(address host: String, port: Int? = nil, protocol transport: SoftAPAddress.Transport = .tcp,
                timeout: Double? = nil) {
        self.address = SoftAPAddress(host: host, port: port, transport: transport)
        self.options = timeout.map(Options.init(timeout:)) ?? Options()
    }

    // MARK: Commands

    /// `version`: the SoftAP protocol version (2 on every released firmware).
    public func version() async throws(SoftAPError) -> Int {
        try SoftAPReplyDecoder.version(try await send(.version))
    }

    /// `device-id`: the device ID (lower-case hex) and whether the device is claimed.
    public func deviceInfo() async throws(SoftAPError) -> SoftAPDeviceInfo {
        let reply = try await send(.deviceID)
        return try SoftAPReplyDecoder.deviceInfo(reply)
    }

    /// The device ID alone.
    public func deviceID() async throws(SoftAPError) -> DeviceID { try await deviceInfo().id }

    /// `public-key`: the RSA key that protects the Wi-Fi password.
    public func publicKey() async throws(SoftAPError) -> SoftAPPublicKey {
        let reply = try await send(.publicKey)
        return try SoftAPReplyDecoder.publicKey(reply)
    }

    /// `scan-ap`: the networks the device sees (one entry per access point; may repeat SSIDs). Slow.
    public func scan() async throws(SoftAPError) -> [SoftAPNetwork] {
        let reply = try await send(.scanAP)
        return try SoftAPReplyDecoder.networks(reply)
    }

    /// The security and channel of `ssid` as the device sees it: the strongest scan entry with exactly that name (the
    /// way the mobile setup apps decide). Throws `.networkNotFound` when the device does not see it.
    public func findNetwork(ssid: String) async throws(SoftAPError) -> SoftAPNetwork {
        guard let match = try await scan().filter({ $0.ssid == ssid }).max(by: { $0.rssi < $1.rssi }) else {
            throw .networkNotFound(ssid: ssid)
        }
        return match
    }

    /// `set cc`: the claim code the device hands the cloud when it first connects. Checked before sending: 1 to 63
    /// bytes, no `"` or `\` (the device stores the value without unescaping).
    public func setClaimCode(_ code: String) async throws(SoftAPError) {
        try SoftAPInputRules.checkClaimCode(code)
        let reply = try await send(.setClaimCode(code))
        try SoftAPReplyDecoder.result(reply, of: .set)
    }

    /// `configure-ap` with credentials already encrypted for this device.
    public func configure(_ configuration: SoftAPWiFiConfiguration) async throws(SoftAPError) {
        try SoftAPInputRules.checkSSID(configuration.ssid)
        let reply = try await send(.configureAP(configuration))
        try SoftAPReplyDecoder.result(reply, of: .configureAP)
    }

    /// `configure-ap` from plain credentials: checks them, encrypts the secrets with `publicKey`, sends.
    public func configure(ssid: String, security: SoftAPSecurity, channel: Int, credentials: SoftAPCredentials,
                          publicKey: SoftAPPublicKey) async throws(SoftAPError) {
        let configuration = try credentials.configuration(ssid: ssid, security: security, channel: channel,
                                                          publicKey: publicKey)
        try await configure(configuration)
    }

    /// `connect-ap`: the device leaves listening mode and joins the stored network. Sent once, never retried.
    @discardableResult
    public func connect() async throws(SoftAPError) -> SoftAPConnectOutcome {
        let exchange = exchange(for: .connectAP)
        log("→ \(address.transport.rawValue) \(address) connect-ap")
        let outcome = try await Self.offload(exchange) { (exchange) throws(SoftAPError) in try exchange.performConnectAP() }
        log("← connect-ap \(outcome.rawValue)")
        return outcome
    }

    /// Sends any request and returns the reply's JSON, with the retry policy above.
    public func send(_ request: SoftAPRequest) async throws(SoftAPError) -> JSONValue {
        let exchange = exchange(for: request.command)
        var attempt = 1
        while true {
            log("→ \(address.transport.rawValue) \(address) \(request.command.rawValue) (\(request.bodyByteCount) body bytes)")
            do {
                let reply = try await Self.offload(exchange) { (exchange) throws(SoftAPError) in try exchange.perform(request) }
                log("← \(request.command.rawValue) \(Self.redacted(reply).serialized)")
                return reply
            } catch {
                log("← \(request.command.rawValue) failed: \(error.message)")
                guard Self.isRetriable(error), attempt < options.attempts else { throw error }
                attempt += 1
                try? await Task.sleep(nanoseconds: UInt64(max(0, options.retryPause) * 1_000_000_000))
            }
        }
    }

    // MARK: Internals

    private func exchange(for command: SoftAPRequest.Command) -> SoftAPExchange {
        let slow = command == .scanAP || command == .configureAP
        return SoftAPExchange(address: address, connectTimeout: options.connectTimeout,
                              replyTimeout: slow ? options.slowReplyTimeout : options.replyTimeout)
    }

    /// Failures on the way are worth another try; the device's own answers are not.
    static func isRetriable(_ error: SoftAPError) -> Bool {
        switch error {
        case .connectFailed, .connectTimedOut, .replyTimedOut, .noReply, .closedMidReply, .invalidReply, .sendFailed: true
        // 500: the device's HTTP server had no free connection slot.
        case let .httpStatus(_, status): status >= 500
        default: false
        }
    }

    private func log(_ line: String) { options.transcript?(line) }

    /// Replies never carry a password, but keep transcripts short: the key blob is elided.
    static func redacted(_ reply: JSONValue) -> JSONValue {
        guard case let .object(members) = reply else { return reply }
        return .object(members.map { member in
            if member.key == "b", case let .string(text) = member.value, text.count > 40 {
                return (member.key, .string(String(text.prefix(16)) + "…(\(text.count) hex)"))
            }
            return member
        })
    }

    /// Runs a blocking exchange on a thread of its own and awaits it. Cancelling the awaiting task reaches that
    /// thread: the exchange's waits end at once, its socket is closed and it throws `.cancelled`.
    static func offload<T: Sendable>(
        _ exchange: SoftAPExchange, _ work: @escaping @Sendable (SoftAPExchange) throws(SoftAPError) -> T
    ) async throws(SoftAPError) -> T {
        let signal = CancellationSignal()
        var exchange = exchange
        exchange.cancellation = signal
        let prepared = exchange
        let result: Result<T, SoftAPError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    do throws(SoftAPError) {
                        continuation.resume(returning: .success(try work(prepared)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            signal.fire()
        }
        return try result.get()
    }
}
