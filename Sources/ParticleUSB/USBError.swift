import ParticleCore

/// Why a USB control request (or opening the device for one) failed: one line saying what happened and what to do.
public struct USBError: ParticleError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The device finished the request with a non-zero result.
        case requestFailed(ResultCode)
        /// Device OS 6 Protected mode: the device refuses every request but a few (result −1801).
        case protected
        /// The device stayed busy (four requests active, or out of memory) until the deadline.
        case busy
        /// The request's deadline passed before the device finished it.
        case timedOut
        /// The device refused the transfer (EP0 STALL).
        case stalled
        /// The device answered CHECK with NOT_FOUND: it dropped the request.
        case cancelledByDevice
        /// The device went away (unplugged, or restarting).
        case disconnected
        /// No permission to open the USB device node.
        case accessDenied
        /// No such USB device (not attached, or not a Particle device in a mode that serves control requests).
        case noDevice
        /// The device broke the protocol (a malformed or unexpected reply).
        case protocolViolation(String)
        /// Another libusb failure.
        case io(String)
        /// The task was cancelled (Ctrl-C, a sibling's failure).
        case cancelled
    }

    public var kind: Kind
    /// The request type the failure concerns, when there is one (named in the message).
    public var requestType: UInt16?
    /// Which device (its USB path or device ID), named in the message when known.
    public var device: String?

    public init(_ kind: Kind, requestType: UInt16? = nil, device: String? = nil) {
        self.kind = kind
        self.requestType = requestType
        self.device = device
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .requestFailed, .protected, .busy, .stalled, .cancelledByDevice, .protocolViolation: .remoteError
        case .timedOut: .timedOut
        case .noDevice: .notFound
        case .disconnected, .accessDenied, .io, .cancelled: .io
        }
    }

    public var message: String {
        let subject = device.map { "the device at \($0)" } ?? "the device"
        let what = requestType.map { "request \(RequestType.name(of: $0))" } ?? "the control request"
        switch kind {
        case .requestFailed(let code) where code == .notSupported:
            return "\(subject) does not support \(what) (\(code.rawValue)); it may need a newer Device OS"
        case .requestFailed(let code):
            return "\(subject) answered \(what) with \(code); check the device's state and try again"
        case .protected:
            return "\(subject) is in Protected mode (Device OS 6): it refuses \(what) (-1801); "
                + "unprotect it or put it in Service Mode, then try again"
        case .busy:
            return "\(subject) stayed busy with other requests and did not accept \(what); try again"
        case .timedOut:
            return "\(subject) did not finish \(what) in time; check that it is running Device OS (not DFU) and try again"
        case .stalled:
            return "\(subject) refused \(what) (USB stall); it may not support it in its current mode"
        case .cancelledByDevice:
            return "\(subject) dropped \(what) before it finished (was it restarted?); try again"
        case .disconnected:
            return "\(subject) disconnected during \(what); plug it back in and try again"
        case .accessDenied:
            return "no permission to open \(subject) over USB; install udev-rules/50-particle.rules or run as root"
        case .noDevice:
            return "\(subject) is not attached over USB (or is in DFU mode); plug it in and try again"
        case .protocolViolation(let detail):
            return "\(subject) broke the control-request protocol in \(what): \(detail); unplug it and try again"
        case .io(let detail):
            return "USB I/O with \(subject) failed during \(what): \(detail); unplug it and try again"
        case .cancelled:
            return "\(what) to \(subject) was cancelled"
        }
    }

    /// The same error, naming `device`.
    public func on(_ device: String) -> USBError {
        var copy = self
        if copy.device == nil { copy.device = device }
        return copy
    }

    /// The same error, naming `type`.
    func about(_ type: UInt16) -> USBError {
        var copy = self
        if copy.requestType == nil { copy.requestType = type }
        return copy
    }
}
