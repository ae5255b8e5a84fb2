import ParticleCore

/// A profile that cannot be used: an unknown key, a wrong type, a value the project's rules refuse, a secret where
/// none may be, an unreadable file. One line naming the file and key (or the flag) and what to do; never a secret.
public struct ProfileError: ParticleError, Equatable {
    public var message: String
    public var exitStatus: ExitStatus

    public init(_ message: String, exitStatus: ExitStatus = .usage) {
        self.message = message
        self.exitStatus = exitStatus
    }
}
