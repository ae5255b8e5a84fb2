import Foundation
import ParticleCloud
import ParticleCore
import ParticleProvisioning
import ParticleSerial
import ParticleSimulators

/// A device at the `DeviceLink` seam, scripted: it answers in listening mode, leaves it on `connect` (or after
/// saving Wi-Fi), and then "joins" the network — coming online in the fake cloud with its claim code — when the
/// password is the right one. It records every call, so a test can tell whether anything reached the device.
final class ScriptedLink: DeviceLink, @unchecked Sendable {
    enum State: Equatable { case listening, application, silent }

    let cloud: FakeCloud
    let device: DeviceIdentity
    /// The ID it tells (its text), as the cloud and the summary hold it.
    let deviceID: String
    let rightPassword: String
    /// How long the device takes to come online after leaving listening mode.
    let joinDelay: Double
    private let lock = NSLock()
    private var state: State
    private var calls: [String] = []
    private var claimCode: String?
    private var wifi: WiFiSettings?

    /// `tellsID` false: a link whose identity has no device ID.
    init(cloud: FakeCloud, id: String = "e00fce68a1b2c3d4e5f60718", osVersion: String = "5.9.0",
         rightPassword: String = "correct horse battery", joinDelay: Double = 0.1, state: State = .listening,
         tellsID: Bool = true) {
        self.cloud = cloud
        self.deviceID = id
        self.device = DeviceIdentity(id: tellsID ? DeviceID(id) : nil, platform: Platform.withID(12),
                                     serialNumber: "SIMARGON00001", mac: "6c:0b:84:5a:00:01", systemVersion: osVersion)
        self.rightPassword = rightPassword
        self.joinDelay = joinDelay
        self.state = state
    }

    var name: String { "scripted \(deviceID)" }
    var recorded: [String] { lock.withLock { calls } }
    var current: State { lock.withLock { state } }

    private func record(_ call: String) throws {
        let state = lock.withLock { () -> State in
            calls.append(call)
            return self.state
        }
        switch state {
        case .listening: return
        case .application: throw ListeningModeError(.notConsoleOutput, port: name, seconds: 1)
        case .silent: throw ListeningModeError(.silent, port: name, seconds: 1)
        }
    }

    func identify() async throws -> DeviceIdentity {
        try record("identify")
        return device
    }

    func setClaimCode(_ code: String) async throws {
        try record("claim-code")
        lock.withLock { claimCode = code }
    }

    func configureWiFi(_ settings: WiFiSettings) async throws {
        try record("wifi")
        lock.withLock { wifi = settings }
    }

    func connect() async throws {
        try record("connect")
        let (code, password) = lock.withLock { () -> (String?, String?) in
            state = .application
            return (claimCode, wifi?.password)
        }
        guard password == rightPassword else { return }
        let cloud = cloud, id = deviceID, delay = joinDelay
        Task {
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            _ = await cloud.deviceCameOnline(id: id, platformID: 12, claimCode: code)
        }
    }

    func enterListeningMode() async throws {
        lock.withLock {
            calls.append("listen")
            if state == .application && canEnterListeningMode(device) { state = .listening }
        }
        if current != .listening { throw ListeningModeError(.stillNotListening, port: name, seconds: 1) }
    }

    func canEnterListeningMode(_ device: DeviceIdentity) -> Bool {
        !(device.systemVersion ?? "6").hasPrefix("6")
    }
}

/// Collects progress events.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ProgressEvent] = []
    func append(_ event: ProgressEvent) { lock.withLock { storage.append(event) } }
    var events: [ProgressEvent] { lock.withLock { storage } }
}
