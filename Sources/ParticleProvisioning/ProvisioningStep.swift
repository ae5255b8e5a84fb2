import ParticleCore

/// The steps of `provision`, in order.
public enum ProvisioningStep: String, Sendable, CaseIterable, Codable {
    case validate
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
        case .validate: "checking the plan with the cloud"
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
    /// A long wait inside a step (wait-online, flash, a rate-limit back-off), about once a second: seconds elapsed
    /// since the step started and seconds left before its deadline.
    case waiting(ProvisioningStep, elapsed: Double, remaining: Double)
}
