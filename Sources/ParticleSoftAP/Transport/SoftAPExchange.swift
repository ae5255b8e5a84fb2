import ParticleCore

/// One request, one connection: connect, send in one write, read until the reply's JSON parses, close.
///
/// Blocking, with a deadline on the connect and one on the whole reply; runs on whatever thread calls it
/// (`SoftAPClient` gives it its own). Never waits for EOF once the JSON is complete.
public struct SoftAPExchange: Sendable {
    public var address: SoftAPAddress
    public var connectTimeout: Double
    public var replyTimeout: Double
    /// When fired (from another thread), the exchange stops waiting at once and closes its socket.
    package var cancellation: CancellationSignal?

    public init(address: SoftAPAddress, connectTimeout: Double, replyTimeout: Double) {
        self.address = address
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    public func perform(_ request: SoftAPRequest) throws(SoftAPError) -> JSONValue {
        let socket = try open(for: request.command)
        try send(request, on: socket)
        switch address.transport {
        case .tcp: return try receive(request.command, on: socket, framer: TCPReplyFramer(command: request.command))
        case .http: return try receive(request.command, on: socket, framer: HTTPReplyFramer(command: request.command))
        }
    }

    /// `connect-ap`: the device tears its AP down right after acting, so a reset, a close without JSON or silence
    /// after the request went out all mean the command was delivered. Only a failure to connect or send, or an
    /// explicit non-zero `r`, is an error.
    public func performConnectAP() throws(SoftAPError) -> SoftAPConnectOutcome {
        let request = SoftAPRequest.connectAP
        let socket = try open(for: .connectAP)
        try send(request, on: socket)
        do throws(SoftAPError) {
            let reply: JSONValue
            switch address.transport {
            case .tcp: reply = try receive(.connectAP, on: socket, framer: TCPReplyFramer(command: .connectAP))
            case .http: reply = try receive(.connectAP, on: socket, framer: HTTPReplyFramer(command: .connectAP))
            }
            try SoftAPReplyDecoder.result(reply, of: .connectAP)
            return .acknowledged
        } catch {
            switch error {
            case .emptyReply, .noReply, .closedMidReply, .replyTimedOut: return .sentWithoutReply
            default: throw error
            }
        }
    }

    private func open(for command: SoftAPRequest.Command) throws(SoftAPError) -> TCPSocket {
        do {
            return try TCPSocket.connect(host: address.host, port: address.port,
                                         deadline: MonotonicDeadline(seconds: connectTimeout), cancellation: cancellation)
        } catch .timedOut {
            throw .connectTimedOut(address: address.description, seconds: connectTimeout)
        } catch .cancelled {
            throw .cancelled(command: command)
        } catch {
            throw .connectFailed(address: address.description, reason: error.reason)
        }
    }

    private func send(_ request: SoftAPRequest, on socket: borrowing TCPSocket) throws(SoftAPError) {
        let bytes = address.transport == .tcp
            ? request.tcpBytes : request.httpBytes(host: address.host, port: address.port)
        do {
            try socket.writeAll(bytes, deadline: MonotonicDeadline(seconds: replyTimeout))
        } catch .timedOut {
            throw .replyTimedOut(command: request.command, seconds: replyTimeout)
        } catch .cancelled {
            throw .cancelled(command: request.command)
        } catch {
            throw .sendFailed(command: request.command, reason: error.reason)
        }
    }

    private func receive<F: SoftAPReplyFraming>(
        _ command: SoftAPRequest.Command, on socket: borrowing TCPSocket, framer: F
    ) throws(SoftAPError) -> JSONValue {
        var framer = framer
        let deadline = MonotonicDeadline(seconds: replyTimeout)
        var received = 0
        while true {
            let result: TCPSocket.ReadResult
            do {
                result = try socket.read(deadline: deadline)
            } catch .timedOut {
                throw .replyTimedOut(command: command, seconds: replyTimeout)
            } catch .cancelled {
                throw .cancelled(command: command)
            } catch {
                throw received == 0 ? SoftAPError.noReply(command: command, reset: true) : SoftAPError.closedMidReply(command: command)
            }
            do {
                switch result {
                case let .bytes(bytes):
                    received += bytes.count
                    if let value = try framer.feed(bytes) { return value }
                case .closed(reset: true) where received == 0:
                    // A reset before the first byte is the network (or a busy device), never the device's answer.
                    throw SoftAPError.noReply(command: command, reset: true)
                case .closed:
                    try framer.endOfStream()
                }
            } catch let error as SoftAPError {
                throw error
            } catch {
                throw .invalidReply(command: command, reason: "unreadable")
            }
        }
    }
}

/// What is known after `connect-ap`.
public enum SoftAPConnectOutcome: String, Sendable, Equatable, Codable {
    /// The device answered `{"r":0}`.
    case acknowledged
    /// The request went out, and the device dropped its AP before answering, which it may do by design.
    case sentWithoutReply = "sent"
}
