import Foundation
import Glibc
import ParticleSerial

/// A Particle device on a pseudo-terminal: clients open `portPath` like a `/dev/ttyACM*` and talk listening mode to
/// it. It answers byte-for-byte as Device OS does (echo, `\r\n`, input discarded after each answer, scan-dependent
/// Wi-Fi prompts, the magic line speeds) and can misbehave on request (`SimulatedFault`).
///
/// It runs on its own thread (its I/O blocks), reports what it was told through `events`, and stops with `stop()`
/// or by itself after a hang-up or a reset into DFU mode.
public final class SimulatedDevice: @unchecked Sendable {
    public let configuration: SimulatedDeviceConfiguration
    public let portPath: String
    /// Everything the device was told or did, in order. One consumer.
    public let events: AsyncStream<SimulatedDeviceEvent>

    private let pty: PseudoTerminal
    private let control: ConsoleControlPipe?
    private let continuation: AsyncStream<SimulatedDeviceEvent>.Continuation
    private let lock = NSLock()
    private var stopRequested = false
    private var state: DeviceState
    private let finished = DispatchSemaphore(value: 0)

    struct DeviceState {
        var listening: Bool
        var claimCode: String?
        var claimed: Bool
        var wifi: WiFiCredentials?
        var running = true
        var hostInput: [UInt8] = []
        var openPrompt: ListeningModePrompt?
    }

    public init(_ configuration: SimulatedDeviceConfiguration = SimulatedDeviceConfiguration()) throws {
        self.configuration = configuration
        control = try configuration.controlPipe.map { path throws(ControlPipeError) in
            try ConsoleControlPipe(path: path)
        }
        pty = try PseudoTerminal()
        portPath = pty.slavePath
        (events, continuation) = AsyncStream.makeStream(of: SimulatedDeviceEvent.self, bufferingPolicy: .unbounded)
        state = DeviceState(listening: !configuration.faults.contains(.appRunning), claimed: configuration.claimed)
        let thread = Thread { [self] in
            Console(device: self).run()
            lock.withLock { state.running = false }
            continuation.finish()
            finished.signal()
        }
        thread.name = "simulated-device"
        thread.start()
    }

    /// Stops the device and closes its pty; waits (briefly) for its thread.
    public func stop() {
        lock.withLock { stopRequested = true }
        _ = finished.wait(timeout: .now() + 2)
    }

    deinit {
        lock.withLock { stopRequested = true }
    }

    public var isListening: Bool { lock.withLock { state.listening } }
    public var isRunning: Bool { lock.withLock { state.running } }
    /// The last claim code stored with `C`.
    public var claimCode: String? { lock.withLock { state.claimCode } }
    /// The last Wi-Fi credentials saved with `w`.
    public var wifiCredentials: WiFiCredentials? {
        get { lock.withLock { state.wifi } }
        set { lock.withLock { state.wifi = newValue } }
    }
    /// Every byte the host sent, in order (what the device read from its USB serial port; the last 64 KiB).
    public var hostInput: [UInt8] { lock.withLock { state.hostInput } }
    /// The prompt the console shows and waits at (a line is being read for it); nil at the idle console.
    public var openPrompt: ListeningModePrompt? { lock.withLock { state.openPrompt } }

    /// Whether `c` answers "yes". A fake cloud sets it once the device has "come online" with its claim code.
    public var isClaimed: Bool {
        get { lock.withLock { state.claimed } }
        set { lock.withLock { state.claimed = newValue } }
    }

    /// Waits (blocking, bounded) until the device thread has ended.
    public func waitUntilStopped(seconds: Double) -> Bool {
        if finished.wait(timeout: .now() + seconds) == .success {
            finished.signal()
            return true
        }
        return false
    }

    // MARK: - For the console

    fileprivate var shouldStop: Bool { lock.withLock { stopRequested } }
    fileprivate var terminal: PseudoTerminal { pty }
    fileprivate var controlPipe: ConsoleControlPipe? { control }

    fileprivate func update(_ change: (inout DeviceState) -> Void) { lock.withLock { change(&state) } }
    fileprivate func read<T>(_ value: (DeviceState) -> T) -> T { lock.withLock { value(state) } }
    fileprivate func report(_ event: SimulatedDeviceEvent) { continuation.yield(event) }
}

/// Ends the console loop: stop requested, hang-up, or reset.
private struct ConsoleStop: Error {}

/// The device's firmware: reads bytes from the master side and answers. Runs on the device's thread only.
private final class Console {
    let device: SimulatedDevice
    let config: SimulatedDeviceConfiguration
    let pty: PseudoTerminal
    var inbox: [UInt8] = []
    var random = SystemRandomNumberGenerator()
    var hungUp = false
    var nextTick = MonotonicClock.now + 250
    var tick = 0

    init(device: SimulatedDevice) {
        self.device = device
        config = device.configuration
        pty = device.terminal
    }

    var faults: Set<SimulatedFault> { config.faults }

    func run() {
        defer { if !hungUp { pty.hangUp() } }
        do {
            while true {
                let byte = try nextByte()
                guard device.read({ $0.listening }) else { continue } // the application's Serial swallows it
                if faults.contains(.silent) { continue }
                try handle(byte)
            }
        } catch {
            return
        }
    }

    // MARK: - Commands

    func handle(_ byte: UInt8) throws {
        guard let command = ListeningModeCommand(rawValue: byte) else { return } // unknown bytes: dropped silently
        if faults.contains(.garbage) {
            if command != .exit { try emit(garbage()) }
            return
        }
        switch command {
        case .identify: try reply(identifyText())
        case .mac: try reply("Your device MAC address is\r\n\(config.mac)\r\n")
        case .systemInfo: try reply(systemInfoText())
        case .version: try reply("system firmware version: \(config.osVersion)\n\r\n")
        case .claimed: try reply("Device claimed: \(device.read { $0.claimed } ? "yes" : "no")\r\n")
        case .setClaimCode: try claimCodeDialogue()
        case .wifi:
            if config.platform.hasWiFiConsole { try wifiDialogue() }
        case .exit:
            device.update { $0.listening = false }
            device.report(.leftListeningMode)
        }
    }

    func identifyText() -> String {
        var lines: [String] = []
        if config.platform.isCellular || config.serialNumber != nil {
            lines.append("Device ID: \(config.deviceID)")
            if let serial = config.serialNumber { lines.append("Serial Number: \(serial)") }
            if config.platform.isCellular {
                lines.append("IMEI: \(config.imei)")
                lines.append("ICCID: \(config.iccid)")
            }
        } else {
            lines.append("Your device id is \(config.deviceID)")
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    func systemInfoText() -> String {
        let version = Int(config.osVersion.split(separator: ".").prefix(3).map { String($0.prefix { $0.isNumber }) }
            .enumerated().map { $0.offset == 0 ? $0.element : String(repeating: "0", count: max(0, 2 - $0.element.count)) + $0.element }
            .joined()) ?? 0
        var body = "\"p\":\(config.platform.id)"
        if config.platform.isCellular {
            body += ",\"imei\":\"\(config.imei)\",\"iccid\":\"\(config.iccid)\""
        }
        body += ",\"m\":["
        body += "{\"s\":49152,\"l\":\"m\",\"vc\":30,\"vv\":30,\"f\":\"b\",\"n\":\"0\",\"v\":1200,\"d\":[]},"
        body += "{\"s\":1572864,\"l\":\"m\",\"vc\":30,\"vv\":30,\"f\":\"s\",\"n\":\"1\",\"v\":\(version),\"d\":[{\"f\":\"b\",\"n\":\"0\",\"v\":1200}]},"
        body += "{\"s\":262144,\"l\":\"m\",\"vc\":30,\"vv\":30,\"u\":\"\(String(repeating: "ab", count: 32))\",\"f\":\"u\",\"n\":\"1\",\"v\":6,\"d\":[{\"f\":\"s\",\"n\":\"1\",\"v\":\(version)}]}"
        body += "]"
        return "{" + body + "}\r\n"
    }

    /// Shows a prompt; the console waits at it until `readLine`/`readBlock` has its answer.
    func prompt(_ prompt: ListeningModePrompt) throws {
        device.update { $0.openPrompt = prompt }
        try lagIfFaulty()
        try emit(prompt.text)
    }

    func claimCodeDialogue() throws {
        try strayLog()
        try prompt(.claimCode)
        let code = try readLine(maximum: 63)
        try hangUpIfFaulty()
        if code.count == 63 {
            let text = String(decoding: code, as: UTF8.self)
            device.update { $0.claimCode = text }
            device.report(.claimCodeSet(text))
            try emit("Claim code set to: \(text)\r\n")
        } else {
            try emit("Sorry, claim code is not 63 characters long. Claim code unchanged.\r\n")
        }
    }

    func wifiDialogue() throws {
        var ssid: [UInt8] = []
        if faults.contains(.slowWiFi) { try pause(milliseconds: 1500) }
        while ssid.isEmpty {
            try strayLog()
            try prompt(.ssid)
            ssid = try readLine(maximum: 32)
        }
        try hangUpIfFaulty()
        if faults.contains(.unplugInWiFi) { try hangUp() }
        let name = String(decoding: ssid, as: UTF8.self)
        try pause(milliseconds: config.scanMilliseconds) // the device scans for that network
        let seen = config.visibleNetworks.first { $0.ssid == name }
        var credentials = WiFiCredentials(ssid: name, security: seen?.security, cipher: seen?.cipher)
        if credentials.security == nil {
            let prompt: ListeningModePrompt = config.platform.offersEnterprise ? .securityWithEnterprise : .security
            let valid = config.platform.offersEnterprise ? "012345" : (isAtLeast55 ? "01236" : "0123")
            while credentials.security == nil {
                try strayLog()
                try self.prompt(prompt)
                let answer = String(decoding: try readLine(maximum: 1), as: UTF8.self)
                if answer.count == 1, valid.contains(answer) { credentials.security = WiFiSecurity(answer: answer) }
            }
        }
        if credentials.cipher == nil {
            while credentials.cipher == nil {
                try prompt(.cipher)
                credentials.cipher = WiFiCipher(answer: String(decoding: try readLine(maximum: 1), as: UTF8.self))
            }
        }
        let security = credentials.security ?? .unsecured
        if security.needsPassword {
            try prompt(.password)
            credentials.password = String(decoding: try readLine(maximum: 64), as: UTF8.self)
        } else if security.isEnterprise {
            var eap: EAPType?
            while eap == nil {
                try prompt(.eapType)
                let answer = String(decoding: try readLine(maximum: 1), as: UTF8.self)
                eap = answer == "0" ? .peap : answer == "1" ? .tls : nil
            }
            credentials.eap = eap
            if eap == .tls {
                try prompt(.clientCertificate)
                credentials.clientCertificate = try readBlock()
                try prompt(.privateKey)
                credentials.privateKey = try readBlock()
            } else {
                try prompt(.username)
                credentials.username = String(decoding: try readLine(maximum: 64), as: UTF8.self)
                try prompt(.password)
                credentials.password = String(decoding: try readLine(maximum: 64), as: UTF8.self)
            }
            try prompt(.outerIdentity)
            let outer = String(decoding: try readLine(maximum: 64), as: UTF8.self)
            credentials.outerIdentity = outer.isEmpty ? nil : outer
            try prompt(.rootCA)
            let root = try readBlock()
            credentials.rootCA = root.isEmpty ? nil : root
        }
        try emit("Thanks! Wait while I save those credentials...\r\n\r\n")
        try pause(milliseconds: 20)
        if faults.contains(.saveFailure) || !savable(credentials) {
            device.report(.wifiCredentialsRefused(ssid: credentials.ssid))
            try emit("Derp. Sorry, we couldn't save the credentials.\r\n\r\n")
            return
        }
        device.update { $0.wifi = credentials }
        device.report(.wifiCredentialsSaved(credentials))
        try emit("Awesome. Now we'll connect!\r\n\r\n")
        try emit("If you see a pulsing cyan light, your device \r\n")
        try emit("has connected to the Cloud and is ready to go!\r\n\r\n")
        try emit("If your LED flashes red or you encounter any other problems,\r\n")
        try emit("visit https://www.particle.io/support to debug.\r\n\r\n")
        // The state changes before the last line goes out, so whoever sees that line sees the new state.
        device.update { $0.listening = false }
        device.report(.leftListeningMode)
        try emit("    Particle <3 you!\r\n\r\n")
    }

    var isAtLeast55: Bool {
        let parts = config.osVersion.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return (parts.first ?? 0, parts.dropFirst().first ?? 0) >= (5, 5)
    }

    /// The Photon's dry run refuses key lengths outside WEP 5–58, WPA 8–64, and an enterprise configuration
    /// without its identity and password (PEAP) or certificate and key (TLS).
    func savable(_ credentials: WiFiCredentials) -> Bool {
        let length = credentials.password?.utf8.count ?? 0
        switch credentials.security {
        case .wep: return (5...58).contains(length)
        case .wpa?, .wpa2?, .wpa3?: return (8...64).contains(length)
        case .wpaEnterprise?, .wpa2Enterprise?:
            if credentials.eap == .tls {
                return !(credentials.clientCertificate ?? "").isEmpty && !(credentials.privateKey ?? "").isEmpty
            }
            return !(credentials.username ?? "").isEmpty && length > 0
        default: return true
        }
    }

    // MARK: - Line input (`serialReadLine`)

    /// Reads one line as Device OS does: echo each stored byte, BS/DEL erase, a byte beyond `maximum` is swallowed as
    /// the terminator, then `\r\n` and every byte already received is discarded.
    func readLine(maximum: Int) throws -> [UInt8] {
        let line = try readRawLine(maximum: maximum)
        try discardInput()
        device.update { $0.openPrompt = nil }
        return line
    }

    func readRawLine(maximum: Int) throws -> [UInt8] {
        var stored: [UInt8] = []
        while true {
            let byte = try nextByte()
            if stored.count >= maximum { break }
            if byte == 0x0d || byte == 0x0a { break }
            if byte == 0x08 || byte == 0x7f {
                if !stored.isEmpty {
                    stored.removeLast()
                    try emit([byte])
                }
                continue
            }
            stored.append(byte)
            try emit([byte])
        }
        try emit("\r\n")
        return stored
    }

    /// Multi-line (PEM) input: lines until an empty one, no flush in between.
    func readBlock() throws -> String {
        var lines: [String] = []
        while true {
            let line = try readRawLine(maximum: 1024)
            if line.isEmpty { break }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        device.update { $0.openPrompt = nil }
        return lines.joined(separator: "\n")
    }

    func discardInput() throws {
        inbox.removeAll()
        while let bytes = try readMaster(timeoutMilliseconds: 0), !bytes.isEmpty {}
    }

    // MARK: - Byte I/O

    /// The next byte from the host. While waiting it watches the line speed (the magic signals), the stop flag and,
    /// when an application runs, prints the application's output.
    func nextByte() throws -> UInt8 {
        while inbox.isEmpty {
            if let bytes = try readMaster(timeoutMilliseconds: 10) { inbox += bytes }
        }
        return inbox.removeFirst()
    }

    func readMaster(timeoutMilliseconds: Int32) throws -> [UInt8]? {
        if device.shouldStop { throw ConsoleStop() }
        try watchLineSpeed()
        if !device.read({ $0.listening }), MonotonicClock.now >= nextTick {
            tick += 1
            nextTick = MonotonicClock.now + 250
            try emit("app: loop \(tick), sensor=\(20 + tick % 5)\r\n", faultsApply: false)
        }
        var entries = [pollfd(fd: pty.master.rawValue, events: Int16(POLLIN), revents: 0)]
        if let control = device.controlPipe { entries.append(pollfd(fd: control.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
        guard poll(&entries, nfds_t(entries.count), timeoutMilliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(pty.master.rawValue, $0.baseAddress, $0.count) }
        // The control pipe after the port: a request that arrived by now was made before the bytes just read were
        // sent (the host asks over USB, then talks to the console), so they already belong to listening mode.
        applyControl()
        if count > 0 {
            let bytes = Array(buffer.prefix(count))
            device.update {
                $0.hostInput += bytes
                if $0.hostInput.count > 65_536 { $0.hostInput.removeFirst($0.hostInput.count - 65_536) }
            }
            return bytes
        }
        // EAGAIN, or EIO while no client has the slave open: nothing to read.
        return nil
    }

    /// Acts on what the device's USB side asked for (START_LISTENING / STOP_LISTENING), whatever the Device OS.
    func applyControl() {
        for command in device.controlPipe?.drain() ?? [] {
            let listening = device.read { $0.listening }
            switch command {
            case .listen where !listening:
                device.update { $0.listening = true }
                device.report(.enteredListeningMode)
            case .stopListening where listening:
                device.update { $0.listening = false }
                device.report(.leftListeningMode)
            default:
                break
            }
        }
    }

    func watchLineSpeed() throws {
        guard let speed = pty.speed, speed != 9600 else { return }
        if speed == MagicSpeed.dfu.rawValue {
            device.update { $0.listening = false }
            device.report(.enteredDFU)
            hungUp = true
            pty.hangUp()
            throw ConsoleStop()
        }
        if speed == MagicSpeed.listen.rawValue, config.acceptsListenSignal, !device.read({ $0.listening }) {
            inbox.removeAll()
            device.update { $0.listening = true }
            device.report(.enteredListeningMode)
        }
        // The device resets its line coding once it has acted on it.
        if speed == MagicSpeed.listen.rawValue { pty.resetSpeed() }
    }

    // MARK: - Output

    func reply(_ text: String) throws {
        try lagIfFaulty()
        try strayLog()
        if faults.contains(.hangUp) {
            let bytes = Array(text.utf8)
            try emit(Array(bytes.prefix(bytes.count / 2)))
            try hangUp()
        }
        try emit(text)
    }

    func strayLog() throws {
        guard faults.contains(.strayLogs) else { return }
        try emit("0000012345 [system] INFO: stray log line, free memory 51234\r\n")
    }

    func lagIfFaulty() throws {
        if faults.contains(.lag) { try pause(milliseconds: 400) }
    }

    func hangUpIfFaulty() throws {
        if faults.contains(.hangUp) { try hangUp() }
    }

    func hangUp() throws {
        hungUp = true
        pty.hangUp()
        device.report(.hungUp)
        throw ConsoleStop()
    }

    func emit(_ text: String, faultsApply: Bool = true) throws {
        try emit(Array(text.utf8), faultsApply: faultsApply)
    }

    func emit(_ bytes: [UInt8], faultsApply: Bool = true) throws {
        if faultsApply && faults.contains(.slow) {
            for byte in bytes {
                try write([byte])
                try pause(milliseconds: 10)
            }
        } else if faultsApply && faults.contains(.split) {
            var rest = bytes[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...7, using: &random)
                try write(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
                try pause(milliseconds: Int.random(in: 1...3, using: &random))
            }
        } else {
            try write(bytes)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        let deadline = MonotonicClock.now + 2000
        while offset < bytes.count {
            if device.shouldStop { throw ConsoleStop() }
            let count = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(pty.master.rawValue, base + offset, buffer.count - offset)
            }
            if count > 0 { offset += count; continue }
            // Nobody reads (the host closed the port, the buffer is full): like USB CDC, the data is dropped.
            if MonotonicClock.now > deadline { return }
            usleep(1000)
        }
    }

    func pause(milliseconds: Int) throws {
        let end = MonotonicClock.now + Int64(milliseconds)
        while MonotonicClock.now < end {
            if device.shouldStop { throw ConsoleStop() }
            usleep(UInt32(min(5, max(1, end - MonotonicClock.now))) * 1000)
        }
    }

    func garbage() -> [UInt8] {
        var bytes = (0..<40).map { _ in UInt8.random(in: 0x80...0xff, using: &random) }
        bytes += [0x0d, 0x0a]
        return bytes
    }
}

enum MonotonicClock {
    static var now: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
