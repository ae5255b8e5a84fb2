import Foundation
import ParticleCloud
import ParticleCore
import ParticleHardware

/// Who ends up owning the device.
public enum ClaimOwner: Sendable {
    /// The user whose token the cloud client holds.
    case user
    /// A product customer: `customerCloud` holds the customer's token; `email` is the expected owner.
    case customer(email: String, customerCloud: CloudClient)
}

/// The provisioning order a bench technician gives.
public struct ProvisioningPlan: Sendable {
    public var wifi: WiFiSettings
    public var product: String?
    public var owner: ClaimOwner
    public var name: String?
    public var firmware: FirmwareSelection?
    public var firmwareTarget: String?
    /// How long to wait for the device to come online after leaving listening mode.
    public var onlineTimeout: Double
    public var flashTimeout: Double

    public init(wifi: WiFiSettings, product: String? = nil, owner: ClaimOwner = .user, name: String? = nil,
                firmware: FirmwareSelection? = nil, firmwareTarget: String? = nil, onlineTimeout: Double = 90,
                flashTimeout: Double = 120) {
        self.wifi = wifi
        self.product = product
        self.owner = owner
        self.name = name
        self.firmware = firmware
        self.firmwareTarget = firmwareTarget
        self.onlineTimeout = onlineTimeout
        self.flashTimeout = flashTimeout
    }
}

/// The result of a provisioning run.
public struct ProvisioningSummary: Sendable, Codable, Equatable {
    public var deviceID: String
    public var platform: String?
    public var owner: String?
    public var name: String?
    public var product: String?
    public var firmware: FlashOutcome?
    public var steps: [StepReport]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case platform, owner, name, product, firmware, steps, seconds
        case deviceID = "device_id"
    }

    /// Every key is always present (null when unknown): the `--json` shape is stable.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deviceID, forKey: .deviceID)
        try container.encode(platform, forKey: .platform)
        try container.encode(owner, forKey: .owner)
        try container.encode(name, forKey: .name)
        try container.encode(product, forKey: .product)
        try container.encode(firmware, forKey: .firmware)
        try container.encode(steps, forKey: .steps)
        try container.encode(seconds, forKey: .seconds)
    }
}

/// Provisions one device end to end: identify → claim code → claim code and Wi-Fi on the device → leave listening
/// mode → online in the cloud → owner verified → optionally product import, name, firmware. Checks the cloud first,
/// so that a rerun after a failure skips what is already done.
public struct Provisioner: Sendable {
    public let cloud: CloudClient
    public let link: any DeviceLink
    public let plan: ProvisioningPlan
    /// How often device info is polled when the event stream is unavailable.
    public var pollInterval: Double = 1

    public init(cloud: CloudClient, link: any DeviceLink, plan: ProvisioningPlan) {
        self.cloud = cloud
        self.link = link
        self.plan = plan
    }

    public func run(progress: @escaping @Sendable (ProgressEvent) -> Void) async throws -> ProvisioningSummary {
        let started = Date()
        var steps: [StepReport] = []

        func step<T>(_ which: ProvisioningStep, _ body: () async throws -> (T, StepReport.Outcome, String)) async throws -> T {
            progress(.started(which))
            let begin = Date()
            do {
                let (value, outcome, detail) = try await body()
                let report = StepReport(step: which, outcome: outcome, detail: detail,
                                        seconds: Date().timeIntervalSince(begin))
                steps.append(report)
                progress(.finished(report))
                return value
            } catch let error as ProvisioningError {
                throw error
            } catch {
                throw ProvisioningError(step: which, error: error)
            }
        }

        let device = try await step(.identify) { () -> (DeviceSummary, StepReport.Outcome, String) in
            let summary = try await link.identify()
            return (summary, .done, "\(summary.id) over \(link.name)")
        }
        let reference = try DeviceReference(device.id)
        let expectedOwner = try await expectedOwnerName()

        let alreadyOnline = try await step(.checkCloud) { () -> (Bool, StepReport.Outcome, String) in
            guard let info = try await ownedDeviceInfo(reference) else {
                return (false, .done, "not claimed by \(expectedOwner ?? "you") yet")
            }
            if info.isOnline { return (true, .done, "already claimed by \(expectedOwner ?? "you") and online") }
            return (false, .done, "claimed by \(expectedOwner ?? "you"), offline")
        }

        if let product = plan.product, case .user = plan.owner {
            try await step(.importToProduct) { () -> ((), StepReport.Outcome, String) in
                if (try? await cloud.devices(product: product).info(reference)) != nil {
                    return ((), .skipped, "already in product \(product)")
                }
                _ = try await cloud.devices(product: product).importDevices([device.id])
                return ((), .done, "added to product \(product)")
            }
        }

        if alreadyOnline {
            for skipped in [ProvisioningStep.claimCode, .configure, .connect, .waitOnline] {
                let report = StepReport(step: skipped, outcome: .skipped, detail: "device already online", seconds: 0)
                steps.append(report)
                progress(.finished(report))
            }
        } else {
            let code = try await step(.claimCode) { () -> (String, StepReport.Outcome, String) in
                let claim = try await claimCodeAPI().claimCode()
                return (claim.claimCode, .done, "received (\(claim.claimCode.count) characters)")
            }
            try await step(.configure) { () -> ((), StepReport.Outcome, String) in
                try await link.setClaimCode(code)
                try await link.configureWiFi(plan.wifi)
                return ((), .done, "claim code and Wi-Fi '\(plan.wifi.ssid)' stored")
            }
            // Listen before the device connects, so its online event cannot be missed.
            let subscription = try? await cloud.events.subscribe(
                EventFilter(prefix: "spark/status", product: plan.product))
            defer { subscription?.cancel() }
            try await step(.connect) { () -> ((), StepReport.Outcome, String) in
                try await link.connect()
                return ((), .done, "device is joining '\(plan.wifi.ssid)'")
            }
            try await step(.waitOnline) { () -> ((), StepReport.Outcome, String) in
                let how = try await waitOnline(reference, subscription: subscription)
                return ((), .done, how)
            }
        }

        let (owner, cloudPlatformID) = try await step(.verifyOwner) { () -> ((String?, Int?), StepReport.Outcome, String) in
            guard let info = try await ownedDeviceInfo(reference) else {
                throw UserError(.remoteError,
                    "the device is online but not claimed by \(expectedOwner ?? "you"); check the claim code's owner")
            }
            let owner = info.owner ?? expectedOwner
            return ((owner, info.platformID), .done, "claimed by \(owner ?? "you")")
        }
        // The device may not say its platform (SoftAP does not); the cloud knows it.
        let platform = device.platform ?? cloudPlatformID.flatMap { Platform.withID($0)?.name }

        var finalName: String?
        if let name = plan.name {
            finalName = try await step(.rename) { () -> (String, StepReport.Outcome, String) in
                let info = try await cloud.devices(product: plan.product).info(reference)
                if info.name == name { return (name, .skipped, "already named \(name)") }
                _ = try await cloud.devices(product: plan.product).rename(reference, to: name)
                return (name, .done, "named \(name)")
            }
        }

        var flashed: FlashOutcome?
        if let firmware = plan.firmware {
            flashed = try await step(.flash) { () -> (FlashOutcome, StepReport.Outcome, String) in
                let flasher = FirmwareFlasher(cloud: cloud, product: plan.product, timeout: plan.flashTimeout)
                let note: @Sendable (String) -> Void = { progress(.note($0)) }
                // Already running it (a rerun)? Verify without flashing again.
                if firmware.manifest != nil, let outcome = try? await flasher.check(reference, firmware, progress: { _ in }) {
                    return (outcome, .skipped, "\(firmware.name) already running and verified")
                }
                let outcome = try await flasher.flash(device.id, firmware, target: plan.firmwareTarget, verify: true,
                                                      progress: note)
                return (outcome, .done, "\(firmware.name) flashed and verified")
            }
        }

        return ProvisioningSummary(deviceID: device.id, platform: platform, owner: owner, name: finalName,
                                   product: plan.product, firmware: flashed, steps: steps,
                                   seconds: Date().timeIntervalSince(started))
    }

    /// The API that hands out the claim code: the customer's (product path) or the user's.
    private func claimCodeAPI() -> DevicesAPI {
        switch plan.owner {
        case .user: cloud.devices()
        case .customer(_, let customerCloud): customerCloud.devices(product: plan.product)
        }
    }

    private func expectedOwnerName() async throws -> String? {
        switch plan.owner {
        case .user: (try? await cloud.tokens.user())?.username
        case .customer(let email, _): email
        }
    }

    /// The device's info when it is claimed by the expected owner; nil when it is not (yet).
    func ownedDeviceInfo(_ device: DeviceReference) async throws -> Device? {
        do {
            switch plan.owner {
            case .user:
                return try await cloud.devices().info(device)
            case .customer(let email, _):
                let info = try await cloud.devices(product: plan.product).info(device)
                return info.owner?.lowercased() == email.lowercased() ? info : nil
            }
        } catch let error as CloudError where error.kind == .notFound || error.status == 403 {
            return nil
        }
    }

    /// Waits for `spark/status` online; without an event stream, or when it ends, polls the device info.
    func waitOnline(_ device: DeviceReference, subscription: EventSubscription?) async throws -> String {
        let deadline = Date().addingTimeInterval(plan.onlineTimeout)
        if let subscription {
            do {
                _ = try await subscription.waitForOnline(deviceID: device.value, timeout: plan.onlineTimeout)
                return "online (spark/status event)"
            } catch let error as CloudError where error.kind == .timedOut {
                // One last look: the event may have been lost with a dropped stream.
                if let info = try await ownedDeviceInfo(device), info.isOnline { return "online (device info)" }
                throw error
            } catch {
                // The stream broke: fall back to polling for the time that is left.
            }
        }
        while Date() < deadline {
            if let info = try await ownedDeviceInfo(device), info.isOnline { return "online (polled device info)" }
            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1_000_000_000))
        }
        throw CloudError(kind: .timedOut, message: """
            device \(device.value) did not come online within \(Int(plan.onlineTimeout)) s; check the Wi-Fi \
            password and that the LED breathes cyan
            """)
    }
}
