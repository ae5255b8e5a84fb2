import ParticleCore

/// The steps of `provision`, in order.
public enum ProvisioningStep: String, Sendable, CaseIterable, Codable {
    case identify
    case checkCloud = "check-cloud"
    case importToProduct = "import"
    case claimCode = "claim-code"
    case configure
    case connect
    case waitOnline = "wait-online"
    case verifyOwner = "verify-owner"
    case rename
    case flash

    /// What the step is doing, for progress lines.
    public var doing: String {
        switch self {
        case .identify: "identifying the device"
        case .checkCloud: "checking the device in the cloud"
        case .importToProduct: "importing the device into the product"
        case .claimCode: "getting a claim code"
        case .configure: "setting the claim code and Wi-Fi credentials"
        case .connect: "leaving listening mode"
        case .waitOnline: "waiting for the device to come online"
        case .verifyOwner: "verifying the owner"
        case .rename: "naming the device"
        case .flash: "flashing and verifying firmware"
        }
    }
}

/// What happened to one step.
public struct StepReport: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable { case done, skipped }
    public var step: ProvisioningStep
    public var outcome: Outcome
    /// What was found or done ("e00fce68…", "already online, claimed by you" …).
    public var detail: String
    public var seconds: Double
}

/// Progress of a workflow, as it happens.
public enum ProgressEvent: Sendable {
    case started(ProvisioningStep)
    case finished(StepReport)
    /// A sub-stage inside a step (flash: "started", "success", "online" …).
    case note(String)
}

/// A failed step: which one, why, and what to do. Keeps the cause's exit code.
public struct ProvisioningError: ParticleError {
    public var step: ProvisioningStep
    public var cause: String
    public var exitStatus: ExitStatus

    public init(step: ProvisioningStep, error: any Error) {
        self.step = step
        if let error = error as? any ParticleError {
            cause = error.message
            exitStatus = error.exitStatus
        } else {
            cause = String(describing: error)
            exitStatus = .remoteError
        }
    }

    public init(step: ProvisioningStep, cause: String, exitStatus: ExitStatus) {
        self.step = step
        self.cause = cause
        self.exitStatus = exitStatus
    }

    public var message: String {
        let failed = "step '\(step.rawValue)' (\(step.doing)) failed: \(cause)"
        // Once the device is known, a rerun picks up where this one stopped.
        return step == .identify ? failed : failed + "; rerun the same command to continue — steps already done are skipped"
    }
}
