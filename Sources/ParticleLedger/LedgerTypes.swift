import Foundation
import ParticleCore

/// A device's status in the ledger: the outcome of its latest attempt that was not skipped.
public enum DeviceStatus: String, Codable, Sendable, CaseIterable {
    case inProgress = "in_progress", provisioned, failed, interrupted
}

/// The status of one attempt at one device.
public enum AttemptStatus: String, Codable, Sendable, CaseIterable {
    case inProgress = "in_progress", provisioned, failed, interrupted, skipped
}

/// What provisioning found or did; nil fields leave the ledger's value as it is.
public struct DeviceOutcome: Sendable, Equatable {
    public var name: String?
    public var owner: String?
    public var product: String?
    public var firmware: String?
    public var firmwareVerified: Bool?

    public init(name: String? = nil, owner: String? = nil, product: String? = nil, firmware: String? = nil,
                firmwareVerified: Bool? = nil) {
        self.name = name
        self.owner = owner
        self.product = product
        self.firmware = firmware
        self.firmwareVerified = firmwareVerified
    }
}

/// Who starts an attempt, where, under which profile (its fingerprint).
public struct AttemptStart: Sendable, Equatable {
    public var station: String
    public var slot: String
    public var operatorName: String?
    public var lot: String?
    public var profile: String
    /// Makes ``Ledger/beginAttempt(_:)`` idempotent: called again with the same token (a retry after a lost
    /// connection whose commit may have happened), it returns the attempt already made. Nil: every call makes a new
    /// attempt. The station gives each device's attempt a new UUID (``newToken()``).
    public var token: String?

    public init(station: String, slot: String, operatorName: String? = nil, lot: String? = nil, profile: String,
                token: String? = nil) {
        self.station = station
        self.slot = slot
        self.operatorName = operatorName
        self.lot = lot
        self.profile = profile
        self.token = token
    }

    /// A token no other attempt has.
    public static func newToken() -> String { UUID().uuidString }
}

/// One step's result. `outcome` is `done`, `skipped`, `failed` or `interrupted`.
public struct StepRecord: Sendable, Codable, Equatable {
    public var step: String
    public var outcome: String
    public var seconds: Double
    public var detail: String?
    public var error: String?

    public init(step: String, outcome: String, seconds: Double, detail: String? = nil, error: String? = nil) {
        self.step = step
        self.outcome = outcome
        self.seconds = seconds
        self.detail = detail
        self.error = error
    }

    enum CodingKeys: String, CodingKey { case step, outcome, seconds, detail, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(detail, forKey: .detail)
        try container.encode(error, forKey: .error)
    }
}

/// One row of the `devices` table. JSON: snake_case keys, every key present (null when unknown).
public struct LedgerDevice: Sendable, Codable, Equatable {
    public var deviceID: String
    public var serialNumber: String?
    public var platform: String?
    public var mac: String?
    public var imei: String?
    public var iccid: String?
    public var deviceOS: String?
    public var name: String?
    public var owner: String?
    public var product: String?
    public var firmware: String?
    public var firmwareVerified: Bool?
    public var status: DeviceStatus
    public var profile: String?
    /// ISO 8601 UTC, as stored.
    public var firstSeen: String
    public var finishedAt: String?
    public var station: String?
    public var slot: String?
    public var operatorName: String?
    public var lot: String?
    public var lastError: String?
    /// The latest attempt that attached this device.
    public var lastAttempt: Int64?

    public init(deviceID: String, serialNumber: String? = nil, platform: String? = nil, mac: String? = nil,
                imei: String? = nil, iccid: String? = nil, deviceOS: String? = nil, name: String? = nil,
                owner: String? = nil, product: String? = nil, firmware: String? = nil, firmwareVerified: Bool? = nil,
                status: DeviceStatus, profile: String? = nil, firstSeen: String, finishedAt: String? = nil,
                station: String? = nil, slot: String? = nil, operatorName: String? = nil, lot: String? = nil,
                lastError: String? = nil, lastAttempt: Int64? = nil) {
        self.deviceID = deviceID
        self.serialNumber = serialNumber
        self.platform = platform
        self.mac = mac
        self.imei = imei
        self.iccid = iccid
        self.deviceOS = deviceOS
        self.name = name
        self.owner = owner
        self.product = product
        self.firmware = firmware
        self.firmwareVerified = firmwareVerified
        self.status = status
        self.profile = profile
        self.firstSeen = firstSeen
        self.finishedAt = finishedAt
        self.station = station
        self.slot = slot
        self.operatorName = operatorName
        self.lot = lot
        self.lastError = lastError
        self.lastAttempt = lastAttempt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case deviceID = "device_id", serialNumber = "serial_number", platform, mac, imei, iccid
        case deviceOS = "device_os", name, owner, product, firmware, firmwareVerified = "firmware_verified", status
        case profile, firstSeen = "first_seen", finishedAt = "finished_at", station, slot, operatorName = "operator"
        case lot, lastError = "last_error", lastAttempt = "last_attempt"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deviceID, forKey: .deviceID)
        try container.encode(serialNumber, forKey: .serialNumber)
        try container.encode(platform, forKey: .platform)
        try container.encode(mac, forKey: .mac)
        try container.encode(imei, forKey: .imei)
        try container.encode(iccid, forKey: .iccid)
        try container.encode(deviceOS, forKey: .deviceOS)
        try container.encode(name, forKey: .name)
        try container.encode(owner, forKey: .owner)
        try container.encode(product, forKey: .product)
        try container.encode(firmware, forKey: .firmware)
        try container.encode(firmwareVerified, forKey: .firmwareVerified)
        try container.encode(status, forKey: .status)
        try container.encode(profile, forKey: .profile)
        try container.encode(firstSeen, forKey: .firstSeen)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(station, forKey: .station)
        try container.encode(slot, forKey: .slot)
        try container.encode(operatorName, forKey: .operatorName)
        try container.encode(lot, forKey: .lot)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(lastAttempt, forKey: .lastAttempt)
    }
}

/// One row of the `attempts` table. JSON: snake_case keys, every key present.
public struct LedgerAttempt: Sendable, Codable, Equatable {
    public var id: Int64
    public var deviceID: String?
    public var station: String
    public var slot: String
    public var operatorName: String?
    public var lot: String?
    public var profile: String
    public var status: AttemptStatus
    public var startedAt: String
    public var finishedAt: String?
    public var failedStep: String?
    public var error: String?

    public init(id: Int64, deviceID: String?, station: String, slot: String, operatorName: String?, lot: String?,
                profile: String, status: AttemptStatus, startedAt: String, finishedAt: String?, failedStep: String?,
                error: String?) {
        self.id = id
        self.deviceID = deviceID
        self.station = station
        self.slot = slot
        self.operatorName = operatorName
        self.lot = lot
        self.profile = profile
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failedStep = failedStep
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case id, deviceID = "device_id", station, slot, operatorName = "operator", lot, profile, status
        case startedAt = "started_at", finishedAt = "finished_at", failedStep = "failed_step", error
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(deviceID, forKey: .deviceID)
        try container.encode(station, forKey: .station)
        try container.encode(slot, forKey: .slot)
        try container.encode(operatorName, forKey: .operatorName)
        try container.encode(lot, forKey: .lot)
        try container.encode(profile, forKey: .profile)
        try container.encode(status, forKey: .status)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(failedStep, forKey: .failedStep)
        try container.encode(error, forKey: .error)
    }
}

/// A device's ledger record as hooks get it on stdin: the device row (null before identification), this attempt and
/// its steps in order.
public struct LedgerRecord: Sendable, Codable, Equatable {
    public var device: LedgerDevice?
    public var attempt: LedgerAttempt
    public var steps: [StepRecord]
    public var particlectlVersion: String

    public init(device: LedgerDevice?, attempt: LedgerAttempt, steps: [StepRecord],
                particlectlVersion: String = ParticlectlVersion.string) {
        self.device = device
        self.attempt = attempt
        self.steps = steps
        self.particlectlVersion = particlectlVersion
    }

    enum CodingKeys: String, CodingKey { case device, attempt, steps, particlectlVersion = "particlectl_version" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(attempt, forKey: .attempt)
        try container.encode(steps, forKey: .steps)
        try container.encode(particlectlVersion, forKey: .particlectlVersion)
    }
}
