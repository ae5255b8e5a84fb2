import ParticleCore

/// What can make the next attempt succeed after a failed run (the CLI turns it into the command to run).
public enum ResumeAdvice: Sendable, Equatable {
    /// The device is where it was (still in listening mode, or untouched): the same run continues; steps already
    /// done are skipped.
    case rerun
    /// The device left listening mode, and the link puts it back by itself (serial, Device OS before 6): the same
    /// run continues.
    case rerunReentersListeningMode
    /// The device left listening mode and nothing on this link brings it back: hold SETUP until the LED blinks
    /// dark blue, then run again.
    case holdSetupThenRerun
    /// The device is claimed and online: only cloud steps are left, which need no local link.
    case finishFromCloud(deviceID: String)
    /// Nothing was done that matters; fix what the cause names, then run again.
    case fixCause
}

/// A failed step: which one, why (the underlying error as a typed value), what was done before, and what to do.
/// Keeps the cause's exit code.
public struct ProvisioningError: ParticleError {
    public var step: ProvisioningStep
    /// The error the step failed with: a `ListeningModeError`, `SerialPortError`, `CloudError`, `OnlineTimeoutError`,
    /// `FlashError`, `ProvisioningPlanError`, `CancellationError` (interrupted) …
    public var underlying: any Error
    /// What this run found and did before the failure (the device ID when it is known).
    public var summary: ProvisioningSummary
    /// The steps of the plan that never started.
    public var notStarted: [ProvisioningStep]
    public var resume: ResumeAdvice

    public init(step: ProvisioningStep, underlying: any Error, summary: ProvisioningSummary,
                notStarted: [ProvisioningStep], resume: ResumeAdvice) {
        self.step = step
        self.underlying = underlying
        self.summary = summary
        self.notStarted = notStarted
        self.resume = resume
    }

    /// Whether the run was cancelled (Ctrl-C, SIGTERM, a caller's task cancellation).
    public var isInterrupted: Bool { underlying is CancellationError }

    public var exitStatus: ExitStatus { (underlying as? any ParticleError)?.exitStatus ?? .remoteError }

    /// The underlying error's own line.
    public var cause: String {
        if isInterrupted { return "interrupted" }
        return (underlying as? any ParticleError)?.message ?? String(describing: underlying)
    }

    public var message: String {
        let failed = "step '\(step.rawValue)' (\(step.doing)) failed: \(cause)"
        switch resume {
        case .rerun: return failed + "; run it again to continue — steps already done are skipped"
        case .rerunReentersListeningMode:
            return failed + "; run it again to continue — it puts the device back into listening mode"
        case .holdSetupThenRerun:
            return failed + "; hold SETUP until the LED blinks dark blue, then run it again"
        case .finishFromCloud(let id): return failed + "; device \(id) is claimed and online: finish it from the cloud side"
        case .fixCause: return failed
        }
    }
}

/// The link answered but did not tell the device ID, which provisioning needs (a `DeviceLink` whose identity has no
/// `id`).
public struct UnidentifiedDevice: ParticleError, Equatable {
    /// The link's name ("serial /dev/ttyACM0").
    public var link: String

    public init(link: String) {
        self.link = link
    }

    public var exitStatus: ExitStatus { .remoteError }
    public var message: String {
        "the device on \(link) did not tell its device ID: check that it is in listening mode (LED blinking dark blue)"
    }
}

/// The device did not come online in time (a local deadline, not a cloud answer).
public struct OnlineTimeoutError: ParticleError, Equatable {
    public var deviceID: String
    public var seconds: Double

    public init(deviceID: String, seconds: Double) {
        self.deviceID = deviceID
        self.seconds = seconds
    }

    public var exitStatus: ExitStatus { .timedOut }
    public var message: String {
        "device \(deviceID) did not come online within \(Int(seconds)) s; check the Wi-Fi password and that the LED breathes cyan"
    }
}

/// A flash that did not end with the expected firmware running (the events, the deadline, or the verification).
public struct FlashError: ParticleError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `spark/flash/status` `failed`.
        case reportedFailure
        /// The event stream ended before the device came back online.
        case streamEnded
        /// No `spark/status` online within the deadline (seconds).
        case notBackOnline(seconds: Double)
        /// The device lists other functions or variables than the manifest.
        case otherFirmware(expected: String, functions: [String], variables: [String])
        /// The test call answered something else.
        case wrongReturnValue(firmware: String, call: String, got: Int, expected: Int)
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var exitStatus: ExitStatus {
        switch kind {
        case .reportedFailure, .otherFirmware, .wrongReturnValue: .remoteError
        case .streamEnded: .io
        case .notBackOnline: .timedOut
        }
    }

    public var message: String {
        switch kind {
        case .reportedFailure:
            "the device reported the flash failed (spark/flash/status failed); try again"
        case .streamEnded:
            "the event stream ended before the device came back online"
        case .notBackOnline(let seconds):
            "the device did not come back online within \(Int(seconds)) s after flashing"
        case .otherFirmware(let expected, let functions, let variables):
            """
            the device runs other firmware than \(expected): functions [\(functions.joined(separator: ","))], \
            variables [\(variables.joined(separator: ","))]; flash it again
            """
        case .wrongReturnValue(let firmware, let call, let got, let expected):
            "\(call) returned \(got), expected \(expected); the firmware does not behave as \(firmware)"
        }
    }
}

/// The plan cannot work: found before anything is written to the device.
public struct ProvisioningPlanError: ParticleError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The device name breaks the cloud's rules (the reason).
        case badName(String)
        /// Another device of the account already has the name.
        case nameTaken(name: String, deviceID: String)
        /// The Wi-Fi password cannot work with the security (the reason, never the password).
        case badPassword(String)
        /// The security cannot be used over this link (WPA3 over SoftAP).
        case unsupportedSecurity(NetworkSecurity, link: String)
        /// No such product, or not visible to this token.
        case productNotFound(String)
        /// The device is not claimed by the expected owner (cloud-only steps need it claimed).
        case notOwned(deviceID: String, owner: String)
        /// Wi-Fi settings are needed (a device to set up over a link) but none were given.
        case noWiFi
        /// The product owns the devices, but no product was named.
        case productOwnerWithoutProduct
    }

    public var kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var exitStatus: ExitStatus {
        switch kind {
        case .badName, .nameTaken, .badPassword, .unsupportedSecurity, .noWiFi, .productOwnerWithoutProduct: .usage
        case .productNotFound, .notOwned: .notFound
        }
    }

    public var message: String {
        switch kind {
        case .badName(let reason): reason
        case .nameTaken(let name, let id):
            "the name '\(name)' is already used by device \(id) of this account; choose another name"
        case .badPassword(let reason): reason
        case .unsupportedSecurity(let security, let link):
            "\(security) cannot be set over \(link) (the Photon and P1 support up to WPA2)"
        case .productNotFound(let product): "product \(product) not found (or not visible to this token); check its ID or slug"
        case .notOwned(let id, let owner): "device \(id) is not claimed by \(owner); set it up over USB or SoftAP first"
        case .noWiFi: "no Wi-Fi network given for a device set up over a local link"
        case .productOwnerWithoutProduct: "devices owned by a product need the product's ID or slug"
        }
    }
}
