/// The process exit codes particlectl documents in its README. Defined here, once, for every layer.
public enum ExitStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Success.
    case ok = 0
    /// The device or the cloud answered with an error.
    case remoteError = 1
    /// Bad usage or bad input.
    case usage = 2
    /// No device, not found, or ambiguous.
    case notFound = 3
    /// A deadline passed.
    case timedOut = 4
    /// Authentication missing or rejected.
    case authentication = 5
    /// I/O failure: permission denied, port busy, disconnected, connection refused.
    case io = 6

    public var description: String {
        switch self {
        case .ok: "ok"
        case .remoteError: "the device or cloud answered with an error"
        case .usage: "bad usage or input"
        case .notFound: "no device, not found, or ambiguous"
        case .timedOut: "timed out"
        case .authentication: "authentication missing or rejected"
        case .io: "I/O failure (permission denied, port busy, disconnected, connection refused)"
        }
    }
}

/// An error a user sees: one line saying what happened and what to do, and the exit code it maps to.
///
/// Every layer's error type conforms, so the CLI has one place that turns errors into stderr lines and exit codes.
public protocol ParticleError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
    /// One line, no trailing newline, never containing a secret.
    var message: String { get }
}

extension ParticleError {
    public var description: String { message }
}

/// A plain error with a message and an exit status, for cases that need no type of their own.
public struct UserError: ParticleError, Equatable {
    public var exitStatus: ExitStatus
    public var message: String
    public init(_ exitStatus: ExitStatus, _ message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }
}
