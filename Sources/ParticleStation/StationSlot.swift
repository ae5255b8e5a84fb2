import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleLedger
import ParticleProvisioning
import ParticleSerial

/// How one device's turn in a slot ended.
enum SlotResult: Sendable {
    case provisioned, failed, interrupted, skipped
}

/// The ledger could not record a device: the station takes no new device (it never provisions what it cannot record).
struct LedgerUnavailable: Error {
    var error: any Error
    var message: String { (error as? any ParticleError)?.message ?? String(describing: error) }
}

/// What every slot shares: the profile, the one cloud client, the one event stream, the ledger.
struct StationContext: Sendable {
    var configuration: StationConfiguration
    var cloud: CloudClient
    var customerCloud: CloudClient?
    var ledger: Ledger
    var statusStream: SharedStatusStream
    var emit: @Sendable (StationEvent) -> Void
}

/// One device in one slot, from "attached" to its end: recognised against the ledger, provisioned with the
/// profile's plan (every step committed to the ledger before the next starts), accepted, hooks run.
struct StationSlot: Sendable {
    let name: String
    let port: String
    let context: StationContext

    private var profile: StationProfile { context.configuration.profile }
    private var ledger: Ledger { context.ledger }

    func run() async throws(LedgerUnavailable) -> SlotResult {
        emit("slot", .attached, detail: port)
        let attempt: Int64
        // One start (its token) for every try: a retry after a lost commit finds the attempt already made. Until it
        // is recorded the device is not touched.
        let start = AttemptStart(station: context.configuration.station, slot: name,
                                 operatorName: context.configuration.operatorName, lot: context.configuration.lot,
                                 profile: profile.fingerprint, token: AttemptStart.newToken())
        do {
            attempt = try await durably { try await ledger.beginAttempt(start) }
        } catch {
            throw LedgerUnavailable(error: error)
        }
        do {
            return try await provision(attempt: attempt)
        } catch let unavailable as LedgerUnavailable {
            throw unavailable
        } catch {
            throw LedgerUnavailable(error: error)
        }
    }

    // MARK: - The device's turn

    private func provision(attempt: Int64) async throws -> SlotResult {
        let link = SerialLink(port: port, timeout: profile.timeouts.identify)

        // Recognise: identify over serial (putting it back into listening mode if an application runs), then ask the
        // ledger whether this device was already done under this profile.
        let identifyStart = Date()
        emit("identify", .started)
        let device: DeviceIdentity
        let deviceID: DeviceID
        do {
            device = try await Self.identify(link)
            guard let id = device.id else { throw UnidentifiedDevice(link: link.name) }
            deviceID = id
        } catch {
            return try await failed(attempt: attempt, step: "identify", deviceID: nil, error: error,
                                    seconds: Date().timeIntervalSince(identifyStart))
        }
        let identifySeconds = Date().timeIntervalSince(identifyStart)
        let detail = "\(deviceID)\(Self.describe(device))"
        let previous: LedgerDevice?
        do {
            // The claim and the identify step: one transaction.
            let identified = StepRecord(step: "identify", outcome: "done", seconds: identifySeconds, detail: detail,
                                        error: nil)
            previous = try await durably {
                try await ledger.attach(attempt: attempt, deviceID: deviceID, identity: device, step: identified)
            }
        } catch let busy as LedgerError where busy.kind == .deviceBusy {
            // Plugged into another station too, which claimed it first: left to that one (the ledger has ended this
            // attempt as skipped with the reason).
            emit("identify", .done, deviceID: deviceID.rawValue, seconds: identifySeconds, detail: detail)
            emit("result", .skipped, deviceID: deviceID.rawValue, detail: busy.message)
            return .skipped
        }
        emit("identify", .done, deviceID: deviceID.rawValue, seconds: identifySeconds, detail: detail)

        if let previous, previous.status == .provisioned, previous.profile == profile.fingerprint,
           !context.configuration.reprovision {
            let when = previous.finishedAt ?? "earlier"
            let reason = "already provisioned at \(when) by \(previous.station ?? "a station")"
                + (previous.slot.map { " (slot \($0))" } ?? "") + "; --reprovision does it again"
            try await durably {
                try await ledger.finish(attempt: attempt, status: .skipped, failedStep: nil, error: nil)
            }
            emit("result", .skipped, deviceID: deviceID.rawValue, detail: reason)
            return .skipped
        }

        // The device's name: the one the ledger gave it before (a resumed device), else the next in the sequence.
        var name: String?
        if let template = profile.nameTemplate {
            do {
                name = try await durably {
                    try await ledger.allocateName(deviceID: deviceID.rawValue, template: template.text) { try template.render($0) }
                }
            } catch {
                return try await failed(attempt: attempt, step: "validate", deviceID: deviceID.rawValue, error: error, seconds: 0)
            }
        }

        // Provision, retrying what a rerun can cure: a rerun skips what is done, so a retry resumes at the step.
        var provisioner = Provisioner(cloud: context.cloud, link: link, plan: plan(name: name))
        provisioner.statusStream = context.statusStream
        provisioner.identified = device  // the first try: just identified above; a retry asks again
        let slot = self
        provisioner.stepFinished = { report in
            // The pre-step above identified the device already; the provisioner's own identify is a quick repeat.
            guard report.step != .identify else { return }
            try await slot.durably {
                try await slot.ledger.recordStep(attempt: attempt, StepRecord(
                    step: report.step.rawValue, outcome: report.outcome.rawValue, seconds: report.seconds,
                    detail: report.detail, error: nil))
            }
            slot.emit(report.step.rawValue, report.outcome == .done ? .done : .skipped, deviceID: deviceID.rawValue,
                      seconds: report.seconds, detail: report.detail)
        }
        var triesLeft = profile.retries
        var summary: ProvisioningSummary
        while true {
            do {
                summary = try await provisioner.run { event in
                    switch event {
                    case .started(let step) where step != .identify:
                        slot.emit(step.rawValue, .started, deviceID: deviceID.rawValue)
                    case .note(let text):
                        slot.emit("note", .note, deviceID: deviceID.rawValue, detail: text)
                    default:
                        break
                    }
                }
                break
            } catch let error as ProvisioningError {
                try await record(partial: error.summary, deviceID: deviceID.rawValue)
                if !error.isInterrupted, triesLeft > 0, !Task.isCancelled,
                   error.resume == .rerun || error.resume == .rerunReentersListeningMode {
                    triesLeft -= 1
                    provisioner.identified = nil
                    emit(error.step.rawValue, .retrying, deviceID: deviceID.rawValue, error: error.cause)
                    continue
                }
                return try await failed(attempt: attempt, step: error.step.rawValue, deviceID: deviceID.rawValue,
                                        error: error.isInterrupted ? CancellationError() : error.underlying,
                                        seconds: error.summary.seconds)
            } catch {
                return try await failed(attempt: attempt, step: "validate", deviceID: deviceID.rawValue, error: error, seconds: 0)
            }
        }
        // What provisioning found: recorded before the acceptance checks (they take a while), else with the end of the
        // attempt, in one write.
        let deviceOutcome = Self.outcome(of: summary)

        // Acceptance.
        if !profile.acceptance.isEmpty {
            try await durably { try await ledger.update(deviceID: deviceID.rawValue, deviceOutcome) }
            let start = Date()
            emit("acceptance", .started, deviceID: deviceID.rawValue)
            do {
                let checks = AcceptanceChecks(profile.acceptance, devices: context.cloud.devices(product: profile.product))
                let found = try await checks.run(on: DeviceReference(id: deviceID))
                let seconds = Date().timeIntervalSince(start)
                try await durably {
                    try await ledger.recordStep(attempt: attempt, StepRecord(step: "acceptance", outcome: "done",
                                                                             seconds: seconds, detail: found, error: nil))
                }
                emit("acceptance", .done, deviceID: deviceID.rawValue, seconds: seconds, detail: found)
            } catch {
                return try await failed(attempt: attempt, step: "acceptance", deviceID: deviceID.rawValue, error: error,
                                        seconds: Date().timeIntervalSince(start))
            }
        }

        try await durably {
            try await ledger.finish(attempt: attempt, status: .provisioned, failedStep: nil, error: nil,
                                    outcome: profile.acceptance.isEmpty ? deviceOutcome : nil)
        }
        emit("result", .provisioned, deviceID: deviceID.rawValue, seconds: summary.seconds,
             detail: [summary.name, summary.firmware.map { "\($0.firmware)\($0.verified ? " verified" : "")" }]
                .compactMap { $0 }.joined(separator: ", "))
        await runHook(profile.hooks.onDone, named: "on_done", attempt: attempt, deviceID: deviceID.rawValue, status: "provisioned")
        return .provisioned
    }

    /// Ends the attempt as failed (or interrupted, when cancelled or unplugged): the failed step and the reason in the
    /// ledger and the event stream, then the `on_failed` hook.
    private func failed(attempt: Int64, step: String, deviceID: String?, error: any Error,
                        seconds: Double) async throws -> SlotResult {
        let interrupted = error is CancellationError || Task.isCancelled
        let reason = interrupted ? "interrupted (unplugged or the station stopped)" : Self.reason(error)
        let outcome = interrupted ? "interrupted" : "failed"
        try await durably {
            try await ledger.recordStep(attempt: attempt, StepRecord(step: step, outcome: outcome, seconds: seconds,
                                                                     detail: nil, error: reason))
            try await ledger.finish(attempt: attempt, status: interrupted ? .interrupted : .failed, failedStep: step,
                                    error: reason)
        }
        emit(step, interrupted ? .interrupted : .failed, deviceID: deviceID, seconds: seconds, error: reason)
        emit("result", interrupted ? .interrupted : .failed, deviceID: deviceID, detail: "at \(step)", error: reason)
        if !interrupted {
            await runHook(profile.hooks.onFailed, named: "on_failed", attempt: attempt, deviceID: deviceID, status: "failed")
        }
        return interrupted ? .interrupted : .failed
    }

    /// What provisioning found or set, into the device's row.
    private func record(partial summary: ProvisioningSummary, deviceID: String) async throws {
        let outcome = Self.outcome(of: summary)
        try await durably { try await ledger.update(deviceID: deviceID, outcome) }
    }

    static func outcome(of summary: ProvisioningSummary) -> DeviceOutcome {
        DeviceOutcome(name: summary.name, owner: summary.owner, product: summary.product,
                      firmware: summary.firmware?.firmware, firmwareVerified: summary.firmware?.verified)
    }

    private func runHook(_ command: String?, named hook: String, attempt: Int64, deviceID: String?, status: String) async {
        guard let command else { return }
        emit("hook", .started, deviceID: deviceID, detail: hook)
        var environment = ["PARTICLE_STATION_STATUS": status, "PARTICLE_STATION_SLOT": name,
                           "PARTICLE_STATION": context.configuration.station]
        if let deviceID { environment["PARTICLE_DEVICE_ID"] = deviceID }
        let input: [UInt8]
        do {
            let record = try await durably { try await ledger.record(attempt: attempt) }
            input = try JSONOutput.encode(record) + [0x0a]
        } catch {
            input = []
        }
        let result = await HookRunner(timeout: profile.timeouts.hook, environment: environment).run(command, input: input)
        try? await durably {
            try await ledger.recordHook(attempt: attempt, hook: hook, command: command, exitCode: result.exitCode,
                                        seconds: result.seconds, error: result.error)
        }
        emit("hook", result.error == nil ? .done : .failed, deviceID: deviceID, seconds: result.seconds, detail: hook,
             error: result.error)
    }

    // MARK: - Helpers

    /// The plan for this device: the profile, the name the ledger gave it, the station's Wi-Fi password.
    private func plan(name: String?) -> ProvisioningPlan {
        let configuration = context.configuration
        let wifi = profile.wifi.map {
            WiFiSettings(ssid: $0.ssid, password: configuration.wifiPassword, security: $0.security)
        }
        var owner = ClaimOwner.user
        if profile.owner == .customer, let customer = profile.customer, let customerCloud = context.customerCloud {
            owner = .customer(email: customer, customerCloud: customerCloud)
        } else if profile.owner == .product {
            owner = .product
        }
        let firmware = profile.firmware.flatMap { BundledFirmware.named($0.name) }.map(FirmwareSelection.bundled)
        return ProvisioningPlan(wifi: wifi, product: profile.product, owner: owner, name: name, firmware: firmware,
                                firmwareTarget: profile.firmware?.target, onlineTimeout: profile.timeouts.online,
                                flashTimeout: profile.timeouts.flash)
    }

    /// Identifies the device; one that runs an application is put back into listening mode first.
    static func identify(_ link: SerialLink) async throws -> DeviceIdentity {
        do {
            return try await link.identify()
        } catch let error as ListeningModeError where error.kind == .silent || error.kind == .notConsoleOutput {
            try await link.enterListeningMode()
            return try await link.identify()
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? ProvisioningError { return error.cause }
        return (error as? any ParticleError)?.message ?? String(describing: error)
    }

    static func describe(_ device: DeviceIdentity) -> String {
        var parts: [String] = []
        if let platform = device.platform { parts.append(platform.name) }
        if let version = device.systemVersion { parts.append("Device OS \(version)") }
        if let serial = device.serialNumber { parts.append("serial \(serial)") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }

    /// Runs a ledger write outside the slot's cancellation: a device unplugged or a station stopping still gets its
    /// last step and its end recorded (a cancelled task's database access would be refused).
    /// A write whose database went away (PostgreSQL restarting, the network cut) is retried with back-off within the
    /// station's ``LedgerRetry`` budget, each try and the recovery reported as `ledger-retry` events.
    func durably<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let retry = context.configuration.ledgerRetry
        let slot = self
        return try await Task {
            try await retry.run(body, retrying: { tries, waited, error in
                slot.emit("ledger-retry", .retrying, seconds: waited,
                          detail: "try \(tries + 1) of this write; retrying for up to \(Int(retry.budget)) s",
                          error: error.message)
            }, recovered: { waited in
                slot.emit("ledger-retry", .done, seconds: waited, detail: "the ledger is back; the write is recorded")
            })
        }.value
    }

    func emit(_ step: String, _ outcome: StationEvent.Outcome, deviceID: String? = nil, seconds: Double? = nil,
              detail: String? = nil, error: String? = nil) {
        context.emit(StationEvent(slot: name, port: port, deviceID: deviceID, step: step, outcome: outcome,
                                  seconds: seconds, detail: detail, error: error))
    }
}
