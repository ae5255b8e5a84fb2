import Foundation
import Glibc
import ParticleCore
import ParticleSoftAP

/// A simulated Photon/P1 in listening mode: the SoftAP servers on raw TCP and HTTP, over real sockets.
///
/// Start it, point a client at the addresses `start()` returns, and follow what the device was told through
/// `events` (claim code, Wi-Fi credentials, connect-ap and whether the device then joined the network). Reproduces the
/// firmware's quirks (first TCP connection left open, replies streamed in small pieces, strict request JSON, AP gone
/// after connect-ap) and injects the faults in `Configuration.faults`.
public final class SoftAPSimulator: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Where to listen for raw TCP (nil: not at all). Port 0 picks a free port.
        public var tcp: (host: String, port: Int)? = ("127.0.0.1", 5609)
        /// Where to listen for HTTP (nil: not at all).
        public var http: (host: String, port: Int)? = ("127.0.0.1", 8080)
        /// 24 hex digits; random when nil.
        public var deviceID: String?
        public var claimed = false
        public var networks = SimulatedWiFiNetwork.defaults
        public var faults: [SoftAPFault] = []
        /// How long `scan-ap` takes (its entries stream out over this time).
        public var scanDuration: Double = 0.3
        /// Added before every reply (to model a slow radio link).
        public var latency: Double = 0
        /// Pause between bytes for the `trickle` fault.
        public var trickleDelay: Double = 0.05
        /// Firmware bug #1252: the first TCP connection is never closed by the device.
        public var keepFirstTCPConnectionOpen = true
        /// Firmware before 0.7.0-rc.3 ends chunked replies without the `0\r\n\r\n` terminator.
        public var httpChunkTerminator = true
        /// Replies go out in pieces this big (the device streams).
        public var pieceSize = 8
        /// After a failed join, the AP comes back after this long.
        public var reappearDelay: Double = 1.0

        public init() {}
    }

    /// What happened, in order. The password in `credentialsStored` is the decrypted one: never print it.
    public enum Event: Sendable {
        case request(transport: SoftAPAddress.Transport, command: String, bodyBytes: Int)
        case replied(transport: SoftAPAddress.Transport, command: String, reply: String)
        case faultInjected(transport: SoftAPAddress.Transport, command: String, fault: SoftAPFault)
        case rejected(transport: SoftAPAddress.Transport, command: String, reason: String)
        /// The client closed a connection the device was holding open without answering (the `stall` fault).
        case clientClosed(transport: SoftAPAddress.Transport, command: String)
        case claimCodeSet(String)
        case credentialsStored(SimulatedPhoton.Credentials)
        case connectRequested
        /// The device left listening mode and joined the network (the AP is gone).
        case joined(ssid: String, claimCode: String?)
        /// The stored credentials did not work; the AP will reappear.
        case joinFailed(ssid: String?)
        case accessPointUp
    }

    public let configuration: Configuration
    public let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    private let lock = NSLock()
    private var photon: SimulatedPhoton
    private var faultUses: [Int] = []
    private var stopped = false
    private var apUp = true
    private var tcpConnections = 0
    private var lingering: [Int32] = []
    private var running = 0
    private let finished = NSCondition()

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        var id = configuration.deviceID ?? ""
        if id.isEmpty {
            var generator = SystemRandomNumberGenerator()
            id = Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        guard id.utf8.count == 24, Hex.decode(id) != nil else {
            throw UserError(.usage, "--device-id must be 24 hex digits")
        }
        let key: SimulatedDeviceKey
        do {
            key = try SimulatedDeviceKey()
        } catch {
            throw UserError(.io, "cannot generate the simulated device's RSA key")
        }
        photon = SimulatedPhoton(deviceID: id, claimed: configuration.claimed, key: key, networks: configuration.networks)
        faultUses = Array(repeating: 0, count: configuration.faults.count)
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
    }

    /// A snapshot of the device's state (claim code, stored credentials, claimed flag).
    public var device: SimulatedPhoton { locked { photon } }

    /// Marks the device claimed (the fake cloud does this when the claim code comes back online).
    public func markClaimed() { locked { photon.markClaimed() } }

    /// Binds the listeners and starts serving. Returns the bound addresses (with the real ports).
    @discardableResult
    public func start() throws -> (tcp: SoftAPAddress?, http: SoftAPAddress?) {
        var tcpAddress: SoftAPAddress?
        var httpAddress: SoftAPAddress?
        let refuse = configuration.faults.contains { $0.kind == .refuse }
        if let tcp = configuration.tcp {
            let (port, fd) = try bind(host: tcp.host, port: tcp.port, transport: .tcp, listening: !refuse)
            tcpAddress = SoftAPAddress(host: tcp.host, port: port, transport: .tcp)
            if refuse { keep(fd) } else { spawn(host: tcp.host, port: port, fd: fd, transport: .tcp) }
        }
        if let http = configuration.http {
            let (port, fd) = try bind(host: http.host, port: http.port, transport: .http, listening: !refuse)
            httpAddress = SoftAPAddress(host: http.host, port: port, transport: .http)
            if refuse { keep(fd) } else { spawn(host: http.host, port: port, fd: fd, transport: .http) }
        }
        return (tcpAddress, httpAddress)
    }

    /// Stops serving, closes every socket and ends `events`. Returns once the server threads are done.
    public func stop() {
        let open: [Int32] = locked {
            stopped = true
            defer { lingering = [] }
            return lingering
        }
        for fd in open { Glibc.close(fd) }
        finished.lock()
        while running > 0 { _ = finished.wait(until: Date().addingTimeInterval(0.2)) }
        finished.unlock()
        eventSink.finish()
    }

    /// Blocks until `stop()` is called from elsewhere (or forever), for the CLI.
    public func waitUntilStopped() {
        finished.lock()
        while running > 0 { _ = finished.wait(until: Date().addingTimeInterval(0.5)) }
        finished.unlock()
    }

    // MARK: Listeners

    /// Binds `host:port`; listening, or (the `refuse` fault) only holding the port, so that connections are refused
    /// and no other server can take the port in the meantime.
    private func bind(host: String, port: Int, transport: SoftAPAddress.Transport, listening: Bool) throws -> (Int, Int32) {
        do {
            let listener = listening ? try TCPSocket.listen(host: host, port: port) : try TCPSocket.reserve(host: host, port: port)
            let bound = listener.localPort
            return (bound, listener.release())
        } catch {
            throw UserError(.io, "cannot listen on \(host):\(port) for \(transport.rawValue) (\(error.reason)); pick another port or 0")
        }
    }

    /// A socket closed at `stop()`.
    private func keep(_ fd: Int32) { locked { lingering.append(fd) } }

    private func spawn(host: String, port: Int, fd: Int32, transport: SoftAPAddress.Transport) {
        finished.lock()
        running += 1
        finished.unlock()
        let thread = Thread { [self] in
            serve(host: host, port: port, initialFD: fd, transport: transport)
            finished.lock()
            running -= 1
            finished.broadcast()
            finished.unlock()
        }
        thread.start()
    }

    /// Accepts and handles one connection at a time while the AP is up; closes the listener while it is down.
    private func serve(host: String, port: Int, initialFD: Int32, transport: SoftAPAddress.Transport) {
        var nextFD: Int32? = initialFD
        while !isStopped {
            if let fd = nextFD {
                nextFD = nil
                let listener = TCPSocket(adopting: fd)
                while !isStopped, isUp {
                    guard let connection = try? listener.accept(deadline: MonotonicDeadline(millisecondsFromNow: 100)) else {
                        continue
                    }
                    switch transport {
                    case .tcp: handleTCP(connection)
                    case .http: handleHTTP(connection)
                    }
                }
            }
            // The AP is down: wait for it to come back, then listen on the same port again.
            while !isStopped, !isUp { usleep(20_000) }
            if !isStopped, nextFD == nil {
                if let listener = try? TCPSocket.listen(host: host, port: port) {
                    nextFD = listener.release()
                } else {
                    usleep(50_000)
                }
            }
        }
    }

    // MARK: TCP (port 5609)

    private func handleTCP(_ connection: consuming TCPSocket) {
        let first: Bool = locked {
            tcpConnections += 1
            return tcpConnections == 1
        }
        guard let (name, body) = readTCPRequest(connection) else { return }
        emit(.request(transport: .tcp, command: name, bodyBytes: body.count))
        let fault = takeFault(for: name)
        if let fault { emit(.faultInjected(transport: .tcp, command: name, fault: fault)) }
        pause(configuration.latency)
        if let fault, breaksOff(fault, connection, transport: .tcp, command: name) { return }

        let bytes: [[UInt8]]
        let reply = perform(name, body: body, transport: .tcp)
        switch reply {
        case .close:
            emit(.rejected(transport: .tcp, command: name, reason: "unknown command: closed without a reply"))
            return
        case .noJSON:
            bytes = [Array("\n\n".utf8)]
        case let .pieces(pieces):
            bytes = [Array("\n\n".utf8)] + pieces.map { Array($0.utf8) }
        }
        if !deliver(bytes, on: connection, fault: fault, transport: .tcp, command: name) { return }
        afterReply(name)
        if first && configuration.keepFirstTCPConnectionOpen {
            // Bug #1252: the first connection is never closed by the device.
            let fd = connection.release()
            locked { lingering.append(fd) }
        }
    }

    /// `<name>\n<length>\n\n<body>`: the length folded digit by digit exactly as the firmware does.
    private func readTCPRequest(_ connection: borrowing TCPSocket) -> (String, [UInt8])? {
        let deadline = MonotonicDeadline(seconds: 10)
        var buffer: [UInt8] = []
        func line(from start: Int) -> Int? { buffer[start...].firstIndex(of: 0x0A) }
        while true {
            if let nameEnd = line(from: 0), let lengthEnd = line(from: nameEnd + 1), buffer.count > lengthEnd + 1 {
                guard nameEnd <= 30 else { return nil }
                var length = 0
                for byte in buffer[(nameEnd + 1)..<lengthEnd] {
                    length = length &* 10 &+ (Int(byte) - 48)
                }
                let name = String(decoding: buffer[0..<nameEnd], as: UTF8.self)
                let bodyStart = lengthEnd + 2
                if !SimulatedPhoton.commandNames.contains(name) || ["version", "device-id", "scan-ap", "public-key", "connect-ap"].contains(name) {
                    // Commands without a parser never read the body.
                    return (name, [])
                }
                if buffer.count >= bodyStart + max(0, length), length >= 0, length < 65536 {
                    return (name, Array(buffer[bodyStart..<(bodyStart + length)]))
                }
            }
            guard case let .bytes(bytes)? = try? connection.read(deadline: deadline) else { return nil }
            buffer += bytes
            if buffer.count > 70_000 { return nil }
        }
    }

    // MARK: HTTP (port 80)

    private func handleHTTP(_ connection: consuming TCPSocket) {
        guard let (method, path, body) = readHTTPRequest(connection) else { return }
        _ = method  // The firmware ignores the method.
        let name = String(path.dropFirst().prefix(while: { $0 != "?" }))
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + "Cache-Control: no-store, no-cache, must-revalidate, post-check=0, pre-check=0\r\nPragma: no-cache\r\n"
            + "Access-Control-Allow-Origin: *\r\n\r\n"
        guard SimulatedPhoton.commandNames.contains(name) else {
            let response: String
            switch path {
            case "/", "/index": response = "HTTP/1.1 301 Moved Permanently\r\nLocation: /hello\r\nContent-Length: 0\r\n\r\n"
            case "/hello": response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nSoft AP Setup"
            default: response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            }
            emit(.rejected(transport: .http, command: path, reason: response.components(separatedBy: "\r\n").first ?? ""))
            _ = try? connection.writeAll(Array(response.utf8), deadline: MonotonicDeadline(seconds: 5))
            return
        }
        emit(.request(transport: .http, command: name, bodyBytes: body.count))
        let fault = takeFault(for: name)
        if let fault { emit(.faultInjected(transport: .http, command: name, fault: fault)) }
        pause(configuration.latency)
        if let fault, breaksOff(fault, connection, transport: .http, command: name) { return }

        var pieces: [[UInt8]] = [Array(head.utf8)]
        switch perform(name, body: body, transport: .http) {
        case .close, .noJSON:
            break
        case let .pieces(jsonPieces):
            pieces += jsonPieces.map { Array("\(String($0.utf8.count, radix: 16))\r\n\($0)\r\n".utf8) }
        }
        if configuration.httpChunkTerminator { pieces.append(Array("0\r\n\r\n".utf8)) }
        if !deliver(pieces, on: connection, fault: fault, transport: .http, command: name) { return }
        afterReply(name)
    }

    private func readHTTPRequest(_ connection: borrowing TCPSocket) -> (String, String, [UInt8])? {
        let deadline = MonotonicDeadline(seconds: 10)
        var buffer: [UInt8] = []
        while true {
            if let end = HTTPHead.end(buffer) {
                let lines = buffer[0..<end].split(separator: 0x0A).map {
                    String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
                }
                let requestLine = (lines.first ?? "").split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                var length = 0
                for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                let bodyStart = end + (buffer[end...].starts(with: [0x0A, 0x0D, 0x0A]) ? 3 : 2)
                if buffer.count - bodyStart >= length {
                    return (String(requestLine[0]), String(requestLine[1]), Array(buffer[bodyStart..<(bodyStart + length)]))
                }
            }
            guard case let .bytes(bytes)? = try? connection.read(deadline: deadline) else { return nil }
            buffer += bytes
            if buffer.count > 70_000 { return nil }
        }
    }

    // MARK: Commands and faults

    private enum Outcome {
        case close
        case noJSON
        case pieces([String])
    }

    private func perform(_ name: String, body: [UInt8], transport: SoftAPAddress.Transport) -> Outcome {
        if name == "scan-ap" {
            // Entries stream out while the scan runs.
            let pieces = locked { photon.scanPieces }
            emit(.replied(transport: transport, command: name, reply: "\(pieces.count - 2) networks"))
            return .pieces(pieces)
        }
        let (reply, before, after) = locked { () -> (SimulatedPhoton.Reply, SimulatedPhoton, SimulatedPhoton) in
            let before = photon
            let reply = photon.handle(command: name, body: body)
            return (reply, before, photon)
        }
        if after.claimCode != before.claimCode, let code = after.claimCode { emit(.claimCodeSet(code)) }
        if after.storedCredentials != before.storedCredentials, let stored = after.storedCredentials.last {
            emit(.credentialsStored(stored))
        }
        switch reply {
        case .close: return .close
        case .noJSON:
            emit(.rejected(transport: transport, command: name, reason: "request JSON refused: no reply"))
            return .noJSON
        case let .json(text):
            emit(.replied(transport: transport, command: name, reply: text))
            return .pieces(Self.split(text, size: configuration.pieceSize))
        }
    }

    /// Writes the reply pieces (or the fault's version of them). Returns false when the connection was broken off.
    private func deliver(_ pieces: [[UInt8]], on connection: borrowing TCPSocket, fault: SoftAPFault?,
                         transport: SoftAPAddress.Transport, command: String) -> Bool {
        let deadline = MonotonicDeadline(seconds: 30)
        let all = pieces.flatMap { $0 }
        switch fault?.kind {
        case .garbage?:
            _ = try? connection.writeAll(Array("\u{1B}[0mHELLO\u{7F} not json <html>".utf8) + [0xFF, 0x00], deadline: deadline)
            return false
        case .drop?:
            _ = try? connection.writeAll(Array(all.prefix(all.count / 2)), deadline: deadline)
            connection.setResetOnClose()
            return false
        case .empty?:
            let nothing = transport == .tcp
                ? Array("\n\n".utf8)
                : Array(pieces.first ?? []) + (configuration.httpChunkTerminator ? Array("0\r\n\r\n".utf8) : [])
            _ = try? connection.writeAll(nothing, deadline: deadline)
            return false
        case .loseReply?:
            afterReply(command)
            return false
        case .trickle?:
            for byte in all {
                if isStopped || connection.peerHasClosed { return false }
                guard (try? connection.writeAll([byte], deadline: deadline)) != nil else { return false }
                pause(configuration.trickleDelay)
            }
            return true
        default:
            let gap = command == "scan-ap" ? configuration.scanDuration / Double(max(1, pieces.count - 1)) : 0
            for piece in pieces {
                guard (try? connection.writeAll(piece, deadline: deadline)) != nil else { return false }
                pause(gap)
            }
            return true
        }
    }

    /// After connect-ap: the AP goes away; the device joins, or comes back to listening mode if it cannot.
    private func afterReply(_ command: String) {
        guard command == "connect-ap" else { return }
        emit(.connectRequested)
        let (canJoin, ssid, code) = locked { () -> (Bool, String?, String?) in
            apUp = false
            let open = lingering
            lingering = []
            for fd in open { Glibc.close(fd) }
            return (photon.canJoin, photon.storedCredentials.last?.ssid, photon.claimCode)
        }
        if canJoin, let ssid {
            emit(.joined(ssid: ssid, claimCode: code))
            return
        }
        emit(.joinFailed(ssid: ssid))
        let delay = configuration.reappearDelay
        let thread = Thread { [self] in
            pause(delay)
            locked { apUp = true }
            emit(.accessPointUp)
        }
        thread.start()
    }

    private func takeFault(for command: String) -> SoftAPFault? {
        locked {
            for (index, fault) in configuration.faults.enumerated() where fault.kind != .refuse {
                guard fault.command == nil || fault.command == command else { continue }
                if let count = fault.count, faultUses[index] >= count { continue }
                faultUses[index] += 1
                return fault
            }
            return nil
        }
    }

    /// The faults that end an exchange before any reply byte: stall, reset, close. Returns whether it ended.
    private func breaksOff(_ fault: SoftAPFault, _ connection: borrowing TCPSocket, transport: SoftAPAddress.Transport,
                           command: String) -> Bool {
        switch fault.kind {
        case .stall:
            while !isStopped, !connection.peerHasClosed { usleep(20_000) }
            if !isStopped { emit(.clientClosed(transport: transport, command: command)) }
            return true
        case .reset:
            connection.setResetOnClose()
            return true
        case .close:
            return true
        default:
            return false
        }
    }

    // MARK: Helpers

    private var isStopped: Bool { locked { stopped } }
    private var isUp: Bool { locked { apUp } }

    private func pause(_ seconds: Double) {
        guard seconds > 0 else { return }
        let deadline = MonotonicDeadline(seconds: seconds)
        while !deadline.hasPassed, !isStopped { usleep(UInt32(min(20, max(1, deadline.remainingMilliseconds))) * 1000) }
    }

    private func emit(_ event: Event) { eventSink.yield(event) }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    static func split(_ text: String, size: Int) -> [String] {
        let bytes = Array(text.utf8)
        let step = max(1, size)
        return stride(from: 0, to: bytes.count, by: step).map {
            String(decoding: bytes[$0..<min(bytes.count, $0 + step)], as: UTF8.self)
        }
    }
}

/// Where an HTTP header block ends.
enum HTTPHead {
    static func end(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A, bytes[index + 1] == 0x0A { return index }
            if bytes[index] == 0x0A, index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}
