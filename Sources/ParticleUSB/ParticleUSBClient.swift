import ParticleCore

/// What a device is doing, from GET_DEVICE_MODE (72): listening mode or not.
public enum DeviceMode: String, Sendable, Codable, Equatable {
    case normal
    case listening
    /// A Protected device refuses request 72 (−1801).
    case protected
}

/// The cloud connection state from CLOUD_GET_CONNECTION_STATUS (300).
public enum CloudConnectionStatus: String, Sendable, Codable, Equatable {
    case disconnected, connecting, connected, disconnecting
}

/// What `identify` learns over USB.
public struct USBDeviceIdentity: Sendable, Equatable {
    public var deviceID: String
    public var systemVersion: String?
    public var mode: DeviceMode?
    public var iccid: String?
    public var imei: String?
}

/// The control requests particlectl uses, as typed calls on a `USBControlChannel`. `timeoutMilliseconds` is each
/// request's deadline.
public struct ParticleUSBClient: Sendable {
    public let channel: USBControlChannel
    public var timeoutMilliseconds: Int64

    public init(channel: USBControlChannel, timeoutMilliseconds: Int64 = 10_000) {
        self.channel = channel
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    private func request(_ type: UInt16, _ payload: [UInt8] = []) -> ControlRequest {
        ControlRequest(type: type, payload: payload, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The device ID over the 'P' quick request (24 hex characters, lower-cased here).
    public func deviceID() async throws(USBError) -> String {
        let raw = try await channel.quickRead(.deviceID)
        let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self).lowercased()
        guard text.count == 24, text.allSatisfy(\.isHexDigit) else {
            throw USBError(.protocolViolation("a device ID of \(raw.count) bytes"), requestType: QuickRequest.deviceID.rawValue, device: channel.label)
        }
        return text
    }

    /// The Device OS version over the 'P' quick request, cut at the first NUL.
    public func systemVersion() async throws(USBError) -> String {
        let raw = try await channel.quickRead(.systemVersion)
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Listening or normal; `.protected` when the device refuses with −1801.
    public func deviceMode() async throws(USBError) -> DeviceMode {
        do {
            let reply = try await channel.send(request(RequestType.getDeviceMode))
            return try DeviceMode(reply: reply)
        } catch where error.kind == .protected {
            return .protected
        }
    }

    public func startListening() async throws(USBError) { _ = try await channel.send(request(RequestType.startListening)) }
    public func stopListening() async throws(USBError) { _ = try await channel.send(request(RequestType.stopListening)) }
    /// The device answers, then resets into DFU mode about a second later.
    public func enterDFU() async throws(USBError) { _ = try await channel.send(request(RequestType.dfuMode)) }
    /// The device answers, then resets about a second later.
    public func reset() async throws(USBError) { _ = try await channel.send(request(RequestType.reset)) }
    /// The device answers, then restarts in safe mode about a second later.
    public func enterSafeMode() async throws(USBError) { _ = try await channel.send(request(RequestType.safeMode)) }

    public func isClaimed() async throws(USBError) -> Bool {
        try DeviceMessages.isClaimed(reply: await channel.send(request(RequestType.isClaimed)))
    }

    /// Stores a claim code (at most 63 characters; the caller validates it).
    public func setClaimCode(_ code: String) async throws(USBError) {
        _ = try await channel.send(request(RequestType.setClaimCode, DeviceMessages.setClaimCodeRequest(code)))
    }

    public func cloudStatus() async throws(USBError) -> CloudConnectionStatus {
        try CloudConnectionStatus(reply: await channel.send(request(RequestType.cloudConnectionStatus)))
    }

    /// Networks the device can see (506). Scanning takes a few seconds.
    public func scanWiFi() async throws(USBError) -> [USBWiFiNetwork] {
        try USBWiFiNetwork.scanResults(from: await channel.send(request(RequestType.wifiScanNetworks)))
    }

    /// Networks the device has credentials for (502); passwords are never returned.
    public func knownWiFiNetworks() async throws(USBError) -> [USBWiFiNetwork] {
        try USBWiFiNetwork.knownNetworks(from: await channel.send(request(RequestType.wifiGetKnownNetworks)))
    }

    /// The network the device is connected to (505).
    public func currentWiFiNetwork() async throws(USBError) -> USBWiFiNetwork {
        try USBWiFiNetwork.current(from: await channel.send(request(RequestType.wifiGetCurrentNetwork)))
    }

    /// Joins a network (500): the device checks the credentials by connecting, then stores them.
    public func joinWiFi(_ credentials: USBWiFiCredentials) async throws(USBError) {
        _ = try await channel.send(request(RequestType.wifiJoinNewNetwork, credentials.encoded))
    }

    /// Stores credentials without connecting (507; Device OS 5.8.2 and 6.2.0+).
    public func addWiFi(_ credentials: USBWiFiCredentials) async throws(USBError) {
        _ = try await channel.send(request(RequestType.wifiSetNetworkCredentials, credentials.encoded))
    }

    public func removeWiFi(ssid: String) async throws(USBError) {
        _ = try await channel.send(request(RequestType.wifiRemoveKnownNetwork, DeviceMessages.removeKnownNetworkRequest(ssid: ssid)))
    }

    public func clearWiFi() async throws(USBError) {
        _ = try await channel.send(request(RequestType.wifiClearKnownNetworks))
    }

    /// The firmware modules on the device (90).
    public func modules() async throws(USBError) -> [FirmwareModule] {
        try FirmwareModule.modules(from: await channel.send(request(RequestType.moduleInfo)))
    }

    /// The device's network interfaces (400).
    public func interfaces() async throws(USBError) -> [NetworkInterface] {
        try NetworkInterface.list(from: await channel.send(request(RequestType.interfaceList)))
    }

    /// One interface in detail (401), with its hardware address.
    public func interface(index: UInt32) async throws(USBError) -> NetworkInterface {
        let payload = NetworkInterface.detailRequest(index: index)
        return try NetworkInterface.detail(from: await channel.send(request(RequestType.interface, payload)))
    }

    /// The MAC address of the Wi-Fi interface, else of the Ethernet one; nil when the device has neither.
    public func macAddress() async throws(USBError) -> NetworkInterface? {
        let all = try await interfaces()
        guard let chosen = all.first(where: { $0.kind == .wifi }) ?? all.first(where: { $0.kind == .ethernet }) else {
            return nil
        }
        return try await interface(index: chosen.index)
    }

    /// Device ID and version over the quick requests, then the mode and (on cellular devices) ICCID/IMEI
    /// concurrently; a request the device does not support leaves its field empty.
    public func identify(cellular: Bool) async throws(USBError) -> USBDeviceIdentity {
        let id = try await deviceID()
        let version = try? await systemVersion()
        var requests = [request(RequestType.getDeviceMode)]
        if cellular { requests.append(request(RequestType.cellularICCID)) }
        let outcomes = await channel.send(requests)
        var identity = USBDeviceIdentity(deviceID: id, systemVersion: version)
        if let first = outcomes.first {
            switch first {
            case .success(let reply) where reply.result == .none:
                identity.mode = try DeviceMode(reply: reply.data)
            case .success(let reply) where reply.result == .protected:
                identity.mode = .protected
            case .success:
                break
            case .failure(let error):
                throw error
            }
        }
        if outcomes.count > 1, case .success(let reply) = outcomes[1], reply.result == .none {
            (identity.iccid, identity.imei) = try DeviceMessages.cellularIDs(reply: reply.data)
        }
        return identity
    }
}

extension ParticleUSBClient {
    /// START_LISTENING (70), then GET_DEVICE_MODE (72) every 500 ms until the device says it is listening (as
    /// particle-usb does), for at most `withinMilliseconds`. The way into listening mode on Device OS 6, where the
    /// serial console has no trigger: what `provision` and `serial listen` can call when the console does not answer.
    public func enterListeningMode(withinMilliseconds: Int64 = 10_000) async throws(USBError) {
        let deadline = MonotonicDeadline(millisecondsFromNow: withinMilliseconds)
        try await startListening()
        while try await deviceMode() != .listening {
            if deadline.hasPassed { throw USBError(.timedOut, requestType: RequestType.startListening, device: channel.label) }
            try? await Task.sleep(for: .milliseconds(500))
            if Task.isCancelled { throw USBError(.cancelled, device: channel.label) }
        }
    }
}
