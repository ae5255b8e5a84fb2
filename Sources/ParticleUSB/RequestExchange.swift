/// One control request as a pure state machine (spec §1.6): INIT → CHECK polled with back-off until the device is
/// ready or done → SEND the payload → CHECK → RECV the reply. It never touches libusb: it says which transfer to
/// make and when, and is told what came back. BUSY and NO_MEMORY are retried with the same back-off until the
/// request's deadline.
public struct RequestExchange: Sendable {
    /// The delays before successive CHECKs (ms) of a request that does not choose its own; the last repeats. The
    /// count restarts after the payload is sent. particle-usb waits 50, 50, 100, 100, 250 … ms, but Device OS runs
    /// most handlers within a few milliseconds: starting at 5 ms made `usb identify` (two requests, each CHECKed until
    /// done) about 3× faster, and a slow handler still costs few CHECKs (the same 1000 ms tail after 1.2 s).
    public static let checkIntervals: [Int64] = [5, 10, 20, 50, 100, 250, 250, 500, 500, 1000]

    /// What the driver should do next.
    public enum Action: Sendable, Equatable {
        /// Make this control transfer (OUT data for SEND) at or after `notBefore` (clock milliseconds).
        case transfer(SetupPacket, data: [UInt8], notBefore: Int64)
        /// The request is over.
        case finished(Result<ControlReply, USBError>)
    }

    private enum Phase: Sendable, Equatable {
        case initiating
        case sending(offset: Int)
        case checking(payloadSent: Bool)
        case receiving(size: Int)
        case finished(Result<ControlReply, USBError>)
    }

    public let request: ControlRequest
    /// The id the device gave the request (after INIT answered OK or PENDING).
    public private(set) var id: UInt16?
    /// Clock milliseconds after which the request fails with `.timedOut`.
    public let deadline: Int64
    private var phase: Phase = .initiating
    private var delays = 0
    private var notBefore: Int64
    private var result = ResultCode.none
    private var received: [UInt8] = []

    public init(_ request: ControlRequest, now: Int64) {
        self.request = request
        deadline = now + max(0, request.timeoutMilliseconds)
        notBefore = now
    }

    /// What to do now. Payloads beyond 65535 bytes cannot be announced in INIT and fail at once.
    public var action: Action {
        switch phase {
        case .finished(let outcome):
            return .finished(outcome)
        case .initiating:
            guard let size = UInt16(exactly: request.payload.count) else {
                return .finished(.failure(USBError(.io("a payload of \(request.payload.count) bytes is too large"),
                                                   requestType: request.type)))
            }
            return .transfer(.initiate(type: request.type, payloadSize: size), data: [], notBefore: notBefore)
        case .sending(let offset):
            let chunk = Array(request.payload[offset..<min(request.payload.count, offset + SetupPacket.maximumChunk)])
            return .transfer(.send(id: id ?? 0, length: UInt16(chunk.count)), data: chunk, notBefore: notBefore)
        case .checking:
            return .transfer(.check(id: id ?? 0), data: [], notBefore: notBefore)
        case .receiving(let size):
            let length = min(SetupPacket.maximumChunk, size - received.count)
            return .transfer(.receive(id: id ?? 0, length: UInt16(length)), data: [], notBefore: notBefore)
        }
    }

    public var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// The transfer from `action` completed with `reply` (the IN data; empty for SEND) at clock time `now`.
    public mutating func received(_ reply: [UInt8], now: Int64) {
        do throws(USBError) {
            try advance(with: reply, now: now)
        } catch {
            phase = .finished(.failure(error.about(request.type)))
        }
    }

    /// The transfer failed (or the driver gave up on the request): the request ends with `error`.
    public mutating func failed(_ error: USBError) {
        guard !isFinished else { return }
        phase = .finished(.failure(error.about(request.type)))
    }

    private mutating func advance(with reply: [UInt8], now: Int64) throws(USBError) {
        switch phase {
        case .finished:
            return
        case .initiating:
            let service = try ServiceReply.parse(reply)
            switch service.status {
            case .ok, .pending:
                guard let id = service.id else { throw USBError(.protocolViolation("an INIT reply without an id")) }
                self.id = id
                if service.status == .ok && !request.payload.isEmpty {
                    phase = .sending(offset: 0)
                    notBefore = now
                } else if service.status == .pending && request.payload.isEmpty {
                    throw USBError(.protocolViolation("PENDING for a request without payload"))
                } else {
                    startChecking(payloadSent: service.status == .ok, now: now)
                }
            case .busy, .noMemory:
                // Retried: the device has four requests active or no memory now; it may have later.
                notBefore = now + nextDelay()
            case .error, .notFound:
                throw USBError(.protocolViolation("INIT answered \(service.status)"))
            }
        case .sending(let offset):
            let next = min(request.payload.count, offset + SetupPacket.maximumChunk)
            if next < request.payload.count {
                phase = .sending(offset: next)
                notBefore = now
            } else {
                startChecking(payloadSent: true, now: now)
            }
        case .checking(let payloadSent):
            let service = try ServiceReply.parse(reply)
            switch service.status {
            case .pending:
                notBefore = now + nextDelay()
            case .ok where !payloadSent:
                phase = .sending(offset: 0)
                notBefore = now
            case .ok:
                guard let code = service.result else {
                    throw USBError(.protocolViolation("CHECK answered OK without a result after the payload"))
                }
                result = ResultCode(code)
                let size = Int(service.size ?? 0)
                if size > 0 {
                    phase = .receiving(size: size)
                    notBefore = now
                } else {
                    phase = .finished(.success(ControlReply(result: result)))
                }
            case .noMemory:
                // The device dropped the request: start it again.
                id = nil
                phase = .initiating
                notBefore = now + nextDelay()
            case .notFound:
                throw USBError(.cancelledByDevice)
            case .busy, .error:
                throw USBError(.protocolViolation("CHECK answered \(service.status)"))
            }
        case .receiving(let size):
            let expected = min(SetupPacket.maximumChunk, size - received.count)
            guard reply.count == expected else {
                throw USBError(.protocolViolation("RECV returned \(reply.count) of \(expected) bytes"))
            }
            received += reply
            if received.count == size {
                phase = .finished(.success(ControlReply(result: result, data: received)))
            }
            notBefore = now
        }
    }

    private mutating func startChecking(payloadSent: Bool, now: Int64) {
        phase = .checking(payloadSent: payloadSent)
        delays = 0
        notBefore = now + nextDelay()
    }

    private mutating func nextDelay() -> Int64 {
        defer { delays += 1 }
        let intervals = request.checkIntervals
        return intervals[min(delays, intervals.count - 1)]
    }
}
