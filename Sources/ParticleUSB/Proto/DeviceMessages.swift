// The messages of the requests that have no public type of their own (device mode, claim code, cloud status,
// cellular IDs, removing a Wi-Fi network), built and read here so that `ParticleUSBClient` only sends.

extension DeviceMode {
    /// The mode of a GetDeviceModeReply (72): listening, or normal for any other value (an empty reply included).
    init(reply: [UInt8]) throws(USBError) {
        let mode = try Particle_Ctrl_GetDeviceModeReply(reply: reply, of: RequestType.getDeviceMode).mode
        self = mode == .listeningMode ? .listening : .normal
    }
}

extension CloudConnectionStatus {
    /// The status of a GetConnectionStatusReply (300); a value Device OS does not define is a protocol violation.
    init(reply: [UInt8]) throws(USBError) {
        switch try Particle_Ctrl_Cloud_GetConnectionStatusReply(reply: reply, of: RequestType.cloudConnectionStatus).status {
        case .disconnected: self = .disconnected
        case .connecting: self = .connecting
        case .connected: self = .connected
        case .disconnecting: self = .disconnecting
        case .UNRECOGNIZED(let wire):
            throw USBError(.protocolViolation("an unknown connection status \(wire)"),
                           requestType: RequestType.cloudConnectionStatus)
        }
    }
}

enum DeviceMessages {
    /// SetClaimCodeRequest (200): {1 code}.
    static func setClaimCodeRequest(_ code: String) -> [UInt8] {
        var request = Particle_Ctrl_SetClaimCodeRequest()
        request.code = code
        return request.payload
    }

    /// IsClaimedReply (201): {1 claimed}.
    static func isClaimed(reply: [UInt8]) throws(USBError) -> Bool {
        try Particle_Ctrl_IsClaimedReply(reply: reply, of: RequestType.isClaimed).claimed
    }

    /// RemoveKnownNetworkRequest (503): {1 ssid}.
    static func removeKnownNetworkRequest(ssid: String) -> [UInt8] {
        var request = Particle_Ctrl_Wifi_RemoveKnownNetworkRequest()
        request.ssid = ssid
        return request.payload
    }

    /// GetIccidReply (554): {1 iccid, 2 imei}; an empty one is nil (Device OS 6.0.0 leaves the IMEI out).
    static func cellularIDs(reply: [UInt8]) throws(USBError) -> (iccid: String?, imei: String?) {
        let message = try Particle_Ctrl_Cellular_GetIccidReply(reply: reply, of: RequestType.cellularICCID)
        return (message.iccid.isEmpty ? nil : message.iccid, message.imei.isEmpty ? nil : message.imei)
    }
}
