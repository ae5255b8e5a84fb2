import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleHardware
import ParticleSerial

/// Who ends up owning the device.
public enum ClaimOwner: Sendable {
    /// The user whose token the cloud client holds.
    case user
    /// A product customer: `customerCloud` holds the customer's token; `email` is the expected owner.
    case customer(email: String, customerCloud: CloudClient)
    /// The product itself (`ProvisioningPlan.product`): the device is imported into the product and left unclaimed
    /// (a product device needs no claim code to connect); it is verified as a member of the product.
    case product

    /// Whether the run imports the device into the plan's product (the customer's product imports it itself).
    var importsIntoProduct: Bool {
        switch self {
        case .user, .product: true
        case .customer: false
        }
    }
}

/// The provisioning order a bench technician gives.
public struct ProvisioningPlan: Sendable {
    /// The network to join; nil for a device finished from the cloud side alone.
    public var wifi: WiFiSettings?
    public var product: String?
    public var owner: ClaimOwner
    public var name: String?
    public var firmware: FirmwareSelection?
    public var firmwareTarget: String?
    /// How long to wait for the device to come online after leaving listening mode.
    public var onlineTimeout: Double
    public var flashTimeout: Double

    public init(wifi: WiFiSettings?, product: String? = nil, owner: ClaimOwner = .user, name: String? = nil,
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

/// The result of a provisioning run (or, inside a `ProvisioningError`, what a failed run got done): the device as
/// identified, and what the run did. Its `--json` object has every key, `null` when unknown.
public struct ProvisioningSummary: Sendable, Encodable, Equatable {
    /// The device as the link identified it (what only the listening-mode console tells — MAC, Device OS version,
    /// serial number, ICCID/IMEI — is recorded here, being gone once the device left listening mode), with the
    /// platform from the cloud when the link did not tell it. `id` is nil only when the run failed before the device
    /// was identified.
    public var device: DeviceIdentity
    public var owner: String?
    /// The device's name: the one this run gave it, else the one it had.
    public var name: String?
    public var product: String?
    /// The firmware flashed and verified by this run, else what the device was found running (`verified` false).
    public var firmware: FlashOutcome?
    public var steps: [StepReport]
    public var seconds: Double

    public init(device: DeviceIdentity = DeviceIdentity(), owner: String? = nil, name: String? = nil,
                product: String? = nil, firmware: FlashOutcome? = nil, steps: [StepReport] = [], seconds: Double = 0) {
        self.device = device
        self.owner = owner
        self.name = name
        self.product = product
        self.firmware = firmware
        self.steps = steps
        self.seconds = seconds
    }

    // The device's fields as the `--json` object names them.
    public var deviceID: String? { device.id?.rawValue }
    public var platform: String? { device.platform?.name }
    public var deviceOS: String? { device.systemVersion }
    public var mac: String? { device.mac }
    public var serialNumber: String? { device.serialNumber }
    public var iccid: String? { device.iccid }
    public var imei: String? { device.imei }

    enum CodingKeys: String, CodingKey {
        case platform, owner, name, product, firmware, mac, iccid, imei, steps, seconds
        case deviceID = "device_id"
        case deviceOS = "device_os"
        case serialNumber = "serial_number"
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
        try container.encode(deviceOS, forKey: .deviceOS)
        try container.encode(mac, forKey: .mac)
        try container.encode(serialNumber, forKey: .serialNumber)
        try container.encode(iccid, forKey: .iccid)
        try container.encode(imei, forKey: .imei)
        try container.encode(steps, forKey: .steps)
        try container.encode(seconds, forKey: .seconds)
        // Which particlectl did this (a ledger keeps it beside the device); written, never read back.
        var release = encoder.container(keyedBy: ReleaseKey.self)
        try release.encode(ParticlectlVersion.string, forKey: .particlectlVersion)
    }

    private enum ReleaseKey: String, CodingKey { case particlectlVersion = "particlectl_version" }

    mutating func record(_ identified: DeviceIdentity) {
        let platform = identified.platform ?? device.platform
        device = identified
        device.platform = platform
    }
}

/// Provisions one device end to end: validate (the plan, with the cloud, before anything goes to the device) →
/// identify → check the cloud → [import] → claim code → claim code and Wi-Fi on the device → leave listening mode →
/// online → owner verified → [name] → [firmware]. Checks the cloud first, so that a rerun after a failure skips what
/// is already done; a device that left listening mode is put back into it when the link can. With a device
/// reference instead of a link, only the cloud steps run (a device already claimed, online or coming online).
///
/// A failure is a `ProvisioningError` carrying the underlying error, what was done, and what makes a rerun work.
public struct Provisioner: Sendable {
    public let cloud: CloudClient
    public let link: (any DeviceLink)?
    /// The device for a cloud-only run.
    public let target: DeviceReference?
    public let plan: ProvisioningPlan
    /// First interval between polls of the device info while waiting for it to come online (grows by half each
    /// poll, up to `maximumPollInterval`).
    public var pollInterval: Double = 2
    public var maximumPollInterval: Double = 10
    /// Asked for the Wi-Fi password once the device is found, when `plan.wifi.password` is nil. Not called when
    /// the device needs no Wi-Fi credentials (already claimed and online).
    public var passwordPrompt: (@Sendable (DeviceIdentity) throws -> String)?
    /// A `spark/status` stream shared with other runs (a station's); nil: this run opens its own.
    public var statusStream: SharedStatusStream?
    /// Called with each step's report when the step ends, before the next step starts (a ledger commits it here). A
    /// throw fails the run at that step.
    public var stepFinished: (@Sendable (StepReport) async throws -> Void)?
    /// The device as the caller identified it over this same link just before (a station recognises a device
    /// before it provisions it): the identify step reports it instead of asking the device again. Leave nil when
    /// the device may have changed since (a retry after a failure).
    public var identified: DeviceIdentity?

    /// A device over a local link (serial, SoftAP) in listening mode, or one that this run puts back into it.
    public init(cloud: CloudClient, link: any DeviceLink, plan: ProvisioningPlan) {
        self.cloud = cloud
        self.link = link
        self.target = nil
        self.plan = plan
    }

    /// A device already claimed by the expected owner: only the cloud steps (name, firmware) run.
    public init(cloud: CloudClient, device: DeviceReference, plan: ProvisioningPlan) {
        self.cloud = cloud
        self.link = nil
        self.target = device
        self.plan = plan
    }

    /// The steps this plan runs, in order.
    public var plannedSteps: [ProvisioningStep] {
        var steps: [ProvisioningStep] = link == nil
            ? [.validate, .checkCloud, .waitOnline, .verifyOwner]
            : [.validate, .identify, .checkCloud]
        if link != nil {
            if plan.product != nil, plan.owner.importsIntoProduct { steps.append(.importToProduct) }
            steps += [.claimCode, .configure, .connect, .waitOnline, .verifyOwner]
        }
        if plan.name != nil { steps.append(.rename) }
        if plan.firmware != nil { steps.append(.flash) }
        return steps
    }

    public func run(progress: @escaping @Sendable (ProgressEvent) -> Void) async throws -> ProvisioningSummary {
        var run = Run(started: Date(), progress: progress, recorder: stepFinished)
        run.summary.product = plan.product
        do {
            if let link {
                try await provision(over: link, &run)
            } else if let target {
                try await finishFromCloud(target, &run)
            }
        } catch let failure as StepFailure {
            run.summary.seconds = Date().timeIntervalSince(run.started)
            let done = Set(run.summary.steps.map(\.step))
            throw ProvisioningError(
                step: failure.step, underlying: failure.error, summary: run.summary,
                notStarted: plannedSteps.filter { !done.contains($0) && $0 != failure.step },
                resume: advice(after: failure, device: run.device))
        }
        run.summary.seconds = Date().timeIntervalSince(run.started)
        return run.summary
    }

    // MARK: - The two ways through

    private func provision(over link: any DeviceLink, _ run: inout Run) async throws {
        let nameHolder = try await run.step(.validate) { () -> (String?, StepReport.Outcome, String) in
            try await validate(link: link)
        }
        let progress = run.progress
        let identified = self.identified
        let (device, deviceID) = try await run.step(.identify) {
            () -> ((DeviceIdentity, DeviceID), StepReport.Outcome, String) in
            if let identified, let id = identified.id {
                return ((identified, id), .done, "\(id) over \(link.name), identified just before\(Self.describe(identified))")
            }
            var how = ""
            var identity: DeviceIdentity
            do {
                identity = try await link.identify()
            } catch let error as ListeningModeError where error.kind == .silent || error.kind == .notConsoleOutput {
                // It left listening mode (an application runs, e.g. after an earlier run's `connect`): put it back.
                progress(.note("not in listening mode; putting it back"))
                try await link.enterListeningMode()
                identity = try await link.identify()
                how = ", put back into listening mode"
            }
            guard let id = identity.id else { throw UnidentifiedDevice(link: link.name) }
            return ((identity, id), .done, "\(id) over \(link.name)\(how)\(Self.describe(identity))")
        }
        run.device = device
        run.summary.record(device)
        let reference = DeviceReference(id: deviceID)
        let expectedOwner = try await expectedOwnerName()

        let found = try await run.step(.checkCloud) { () -> (Device?, StepReport.Outcome, String) in
            if let holder = nameHolder, let name = plan.name, holder != deviceID.rawValue {
                throw ProvisioningPlanError(.nameTaken(name: name, deviceID: holder))
            }
            guard let info = try await ownedDeviceInfo(reference) else {
                return (nil, .done, "not \(held(by: expectedOwner)) yet")
            }
            return (info, .done, "\(held(by: expectedOwner))\(info.isOnline ? "" : ", offline")")
        }
        // It answered over the link, so it is in listening mode, whatever the cloud last saw: a claimed device that
        // was online keeps its claim and its Wi-Fi credentials, and only needs to leave listening mode.
        let keepsCredentials = found?.isOnline == true

        if let product = plan.product, plan.owner.importsIntoProduct {
            try await run.step(.importToProduct) { () -> ((), StepReport.Outcome, String) in
                if (try? await cloud.devices(product: product).info(reference)) != nil {
                    return ((), .skipped, "already in product \(product)")
                }
                _ = try await cloud.devices(product: product).importDevices([deviceID.rawValue])
                return ((), .done, "added to product \(product)")
            }
        }

        var subscription: StatusFeed?
        defer { subscription?.cancel() }
        if keepsCredentials {
            try await run.skip(.claimCode, "already \(held(by: expectedOwner))")
            try await run.skip(.configure, "keeps the Wi-Fi credentials it was online with")
            subscription = await subscribeToStatus(deviceID.rawValue)
        } else {
            guard let wifi = plan.wifi else {
                throw StepFailure(step: .claimCode, error: ProvisioningPlanError(.noWiFi))
            }
            let code: String?
            let settings: WiFiSettings
            if case .product = plan.owner {
                settings = try completed(wifi, device: device)
                code = nil
                try await run.skip(.claimCode, "a product device needs no claim code")
            } else {
                (code, settings) = try await run.step(.claimCode) { () -> ((String?, WiFiSettings), StepReport.Outcome, String) in
                    let settings = try completed(wifi, device: device)
                    let claim = try await claimCodeAPI().claimCode()
                    return ((claim.claimCode, settings), .done, "received (\(claim.claimCode.count) characters)")
                }
            }
            // Listen before the credentials are written: the device may connect as soon as it has them.
            subscription = await subscribeToStatus(deviceID.rawValue)
            try await run.step(.configure) { () -> ((), StepReport.Outcome, String) in
                if let code { try await link.setClaimCode(code) }
                try await link.configureWiFi(settings)
                return ((), .done, "\(code == nil ? "" : "claim code and ")Wi-Fi '\(settings.ssid)' stored")
            }
        }
        try await run.step(.connect) { () -> ((), StepReport.Outcome, String) in
            try await link.connect()
            return ((), .done, "device is joining \(plan.wifi.map { "'\($0.ssid)'" } ?? "its network")")
        }
        try await run.step(.waitOnline) { () -> ((), StepReport.Outcome, String) in
            let how = try await waitOnline(reference, subscription: subscription, progress: progress)
                return ((), .done, how)
        }
        try await finish(reference, platform: device.platform, expectedOwner: expectedOwner, &run)
    }

    private func finishFromCloud(_ target: DeviceReference, _ run: inout Run) async throws {
        let nameHolder = try await run.step(.validate) { () -> (String?, StepReport.Outcome, String) in
            try await validate(link: nil)
        }
        let expectedOwner = try await expectedOwnerName()
        let progress = run.progress
        let info = try await run.step(.checkCloud) { () -> (Device, StepReport.Outcome, String) in
            guard let info = try await ownedDeviceInfo(target) else {
                throw ProvisioningPlanError(.notOwned(deviceID: target.value, owner: expectedOwner ?? "you"))
            }
            if let holder = nameHolder, let name = plan.name, holder != info.id {
                throw ProvisioningPlanError(.nameTaken(name: name, deviceID: holder))
            }
            return (info, .done, "\(info.id) \(held(by: expectedOwner))\(info.isOnline ? ", online" : ", offline")")
        }
        run.summary.device.id = DeviceID(info.id)
        let reference = try DeviceReference(info.id)
        if info.isOnline {
            try await run.skip(.waitOnline, "already online")
        } else if plan.firmware == nil {
            try await run.skip(.waitOnline, "offline; naming does not need it online")
        } else {
            let subscription = await subscribeToStatus(info.id)
            defer { subscription?.cancel() }
            try await run.step(.waitOnline) { () -> ((), StepReport.Outcome, String) in
                let how = try await waitOnline(reference, subscription: subscription, progress: progress)
                return ((), .done, how)
            }
        }
        try await finish(reference, platform: nil, expectedOwner: expectedOwner, &run)
    }

    /// verify-owner → [rename] → [flash], and the name and firmware as found.
    private func finish(_ reference: DeviceReference, platform: Platform?, expectedOwner: String?,
                        _ run: inout Run) async throws {
        let info = try await run.step(.verifyOwner) { () -> (Device, StepReport.Outcome, String) in
            guard let info = try await ownedDeviceInfo(reference) else {
                throw UserError(.remoteError,
                    "the device is online but not \(held(by: expectedOwner)); check the claim code's owner")
            }
            if case .product = plan.owner {
                return (info, .done, "\(held(by: expectedOwner))\(info.owner.map { ", claimed by \($0)" } ?? ", unclaimed")")
            }
            return (info, .done, "claimed by \(info.owner ?? expectedOwner ?? "you")")
        }
        run.summary.owner = info.owner ?? expectedOwner
        // The device may not say its platform (SoftAP does not); the cloud knows it.
        run.summary.device.platform = platform ?? info.platformID.flatMap(Platform.withID)
        run.summary.name = info.name
        run.summary.firmware = Self.firmwareFound(info)
        run.summary.device.systemVersion = run.summary.device.systemVersion ?? info.systemFirmwareVersion

        if let name = plan.name {
            let named = try await run.step(.rename) { () -> (String, StepReport.Outcome, String) in
                if info.name == name { return (name, .skipped, "already named \(name)") }
                _ = try await cloud.devices(product: plan.product).rename(reference, to: name)
                return (name, .done, "named \(name)")
            }
            run.summary.name = named
        }

        if let firmware = plan.firmware {
            let progress = run.progress
            let flashed = try await run.step(.flash) { () -> (FlashOutcome, StepReport.Outcome, String) in
                var flasher = FirmwareFlasher(cloud: cloud, product: plan.product, timeout: plan.flashTimeout) {
                    progress(.waiting(.flash, elapsed: $0, remaining: $1))
                }
                flasher.statusStream = statusStream
                // Already running it (a rerun)? Verify without flashing again.
                if firmware.manifest != nil, let outcome = try? await flasher.check(reference, firmware, progress: { _ in }) {
                    return (outcome, .skipped, "\(firmware.name) already running and verified")
                }
                let outcome = try await flasher.flash(reference.value, firmware, target: plan.firmwareTarget,
                                                      verify: true, progress: { progress(.note($0)) })
                return (outcome, .done, "\(firmware.name) flashed and verified")
            }
            run.summary.firmware = flashed
        }
    }

    // MARK: - Validation

    /// Everything that can be checked before the device is touched. Returns the ID of the device that already has
    /// the plan's name, if any (the caller compares it with the device once it is known).
    private func validate(link: (any DeviceLink)?) async throws -> (String?, StepReport.Outcome, String) {
        var checked: [String] = []
        if case .product = plan.owner, plan.product == nil {
            throw ProvisioningPlanError(.productOwnerWithoutProduct)
        }
        if let name = plan.name, let problem = DeviceNameRule.problem(name) {
            throw ProvisioningPlanError(.badName(problem))
        }
        if link != nil, let wifi = plan.wifi {
            if link is SoftAPLink, let security = wifi.security, security.softAP == nil {
                throw ProvisioningPlanError(.unsupportedSecurity(security, link: "SoftAP"))
            }
            if let password = wifi.password {
                if let problem = WiFiPasswordRule.problem(password, security: wifi.security) {
                    throw ProvisioningPlanError(.badPassword(problem))
                }
                checked.append("Wi-Fi password")
            }
        }
        if let product = plan.product {
            do {
                _ = try await cloud.products.get(product)
            } catch let error as CloudError where error.kind == .notFound || error.status == 403 {
                throw ProvisioningPlanError(.productNotFound(product))
            }
            checked.append("product \(product)")
        }
        var holder: String?
        if let name = plan.name {
            holder = try await deviceNamed(name)
            checked.append(holder == nil ? "name \(name) free" : "name \(name) held by \(holder ?? "")")
        }
        return (holder, .done, checked.isEmpty ? "nothing to check" : checked.joined(separator: ", "))
    }

    /// The ID of the account's (or product's) device with this name, or nil.
    private func deviceNamed(_ name: String) async throws -> String? {
        guard let reference = try? DeviceReference(name) else { return nil }
        do {
            return try await cloud.devices(product: plan.product).info(reference).id
        } catch let error as CloudError where error.kind == .notFound || error.status == 403 {
            return nil
        }
    }

    /// The Wi-Fi settings with the password: given, or asked now that the device is found; checked.
    private func completed(_ wifi: WiFiSettings, device: DeviceIdentity) throws -> WiFiSettings {
        var settings = wifi
        if settings.password == nil {
            guard let passwordPrompt else { throw ProvisioningPlanError(.badPassword("no Wi-Fi password was given")) }
            let password = try passwordPrompt(device)
            if let problem = WiFiPasswordRule.problem(password, security: wifi.security) {
                throw ProvisioningPlanError(.badPassword(problem))
            }
            settings.password = password
        }
        return settings
    }

    // MARK: - Cloud look-ups

    /// The API that hands out the claim code: the customer's (product path) or the user's.
    private func claimCodeAPI() -> DevicesAPI {
        switch plan.owner {
        case .user, .product: cloud.devices()
        case .customer(_, let customerCloud): customerCloud.devices(product: plan.product)
        }
    }

    /// "claimed by dev@example.com", or "in product widgets" when the product owns the device.
    private func held(by expectedOwner: String?) -> String {
        if case .product = plan.owner { return "in \(expectedOwner ?? "the product")" }
        return "claimed by \(expectedOwner ?? "you")"
    }

    private func expectedOwnerName() async throws -> String? {
        switch plan.owner {
        case .user: (try? await cloud.tokens.user())?.username
        case .customer(let email, _): email
        case .product: plan.product.map { "product \($0)" }
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
            case .product:
                // A member of the product, whoever (if anyone) claimed it.
                return try await cloud.devices(product: plan.product).info(device)
            }
        } catch let error as CloudError where error.kind == .notFound || error.status == 403 {
            return nil
        }
    }

    /// `spark/status` on the owner's (or product's) stream, or the device's share of the shared stream; nil when
    /// the stream is unavailable (polling covers it).
    private func subscribeToStatus(_ deviceID: String) async -> StatusFeed? {
        if let statusStream { return await statusStream.feed(deviceID: deviceID) }
        return (try? await cloud.events.subscribe(EventFilter(prefix: "spark/status", product: plan.product))).map(StatusFeed.init)
    }

    /// The event stream and device-info polls at once, whichever sees the device online first.
    func waitOnline(_ device: DeviceReference, subscription: StatusFeed?,
                    progress: @escaping @Sendable (ProgressEvent) -> Void) async throws -> String {
        let watch = OnlineWatch(
            deviceID: device.value, timeout: plan.onlineTimeout, pollInterval: pollInterval,
            maximumPollInterval: maximumPollInterval,
            isOnline: { try await ownedDeviceInfo(device)?.isOnline == true },
            tick: { progress(.waiting(.waitOnline, elapsed: $0, remaining: $1)) })
        return try await watch.wait(events: subscription?.events)
    }

    // MARK: - Reporting

    /// What makes the next attempt work, from where this one stopped.
    private func advice(after failure: StepFailure, device: DeviceIdentity?) -> ResumeAdvice {
        let status = (failure.error as? any ParticleError)?.exitStatus
        if status == .usage || status == .authentication || failure.error is ProvisioningPlanError { return .fixCause }
        switch failure.step {
        case .validate, .identify:
            return failure.error is CancellationError ? .rerun : .fixCause
        case .checkCloud, .importToProduct, .claimCode, .configure:
            return .rerun
        case .connect, .waitOnline, .verifyOwner:
            guard let link else { return .rerun }
            if let device, link.canEnterListeningMode(device) { return .rerunReentersListeningMode }
            return .holdSetupThenRerun
        case .rename, .flash:
            return .finishFromCloud(deviceID: device?.id?.rawValue ?? target?.value ?? "")
        }
    }

    /// A bundled firmware whose functions and variables the device lists, else what it lists (never nil once
    /// the cloud answered).
    static func firmwareFound(_ info: Device) -> FlashOutcome {
        let functions = (info.functions ?? []).sorted()
        let variables = (info.variables ?? [:]).keys.sorted()
        let match = BundledFirmware.all.first {
            $0.manifest.functions.sorted() == functions && $0.manifest.variables.keys.sorted() == variables
        }
        return FlashOutcome(firmware: match?.name ?? "unknown", verified: false, functions: functions, variables: variables)
    }

    static func describe(_ device: DeviceIdentity) -> String {
        var parts: [String] = []
        if let platform = device.platform { parts.append(platform.name) }
        if let version = device.systemVersion { parts.append("Device OS \(version)") }
        if let mac = device.mac { parts.append("MAC \(mac)") }
        if let serial = device.serialNumber { parts.append("serial \(serial)") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }
}

/// One step that failed, inside `run` (turned into a `ProvisioningError` with the whole picture).
struct StepFailure: Error {
    var step: ProvisioningStep
    var error: any Error
}

/// The state of one run: the summary so far and the progress callback.
struct Run: Sendable {
    let started: Date
    let progress: @Sendable (ProgressEvent) -> Void
    let recorder: (@Sendable (StepReport) async throws -> Void)?
    var summary = ProvisioningSummary()
    var device: DeviceIdentity?

    init(started: Date, progress: @escaping @Sendable (ProgressEvent) -> Void,
         recorder: (@Sendable (StepReport) async throws -> Void)? = nil) {
        self.started = started
        self.progress = progress
        self.recorder = recorder
    }

    /// Runs one step: reports its start and end, records it; a failure becomes a `StepFailure`.
    mutating func step<T>(_ which: ProvisioningStep,
                          _ body: () async throws -> (T, StepReport.Outcome, String)) async throws -> T {
        progress(.started(which))
        let begin = Date()
        do {
            try Task.checkCancellation()
            let (value, outcome, detail) = try await body()
            let report = StepReport(step: which, outcome: outcome, detail: detail, seconds: Date().timeIntervalSince(begin))
            try await recorder?(report)
            summary.steps.append(report)
            progress(.finished(report))
            return value
        } catch let failure as StepFailure {
            throw failure
        } catch {
            throw StepFailure(step: which, error: Task.isCancelled ? CancellationError() : error)
        }
    }

    mutating func skip(_ which: ProvisioningStep, _ detail: String) async throws {
        let report = StepReport(step: which, outcome: .skipped, detail: detail, seconds: 0)
        do {
            try await recorder?(report)
        } catch {
            throw StepFailure(step: which, error: error)
        }
        summary.steps.append(report)
        progress(.finished(report))
    }
}
