/// The control-request types particlectl sends (spec §2.1).
public enum RequestType {
    public static let echo: UInt16 = 1
    public static let deviceID: UInt16 = 20
    public static let serialNumber: UInt16 = 21
    public static let systemVersion: UInt16 = 30
    public static let reset: UInt16 = 40
    public static let dfuMode: UInt16 = 50
    public static let safeMode: UInt16 = 60
    public static let startListening: UInt16 = 70
    public static let stopListening: UInt16 = 71
    public static let getDeviceMode: UInt16 = 72
    public static let getProtectedState: UInt16 = 76
    public static let moduleInfo: UInt16 = 90
    public static let setClaimCode: UInt16 = 200
    public static let isClaimed: UInt16 = 201
    public static let cloudConnectionStatus: UInt16 = 300
    public static let interfaceList: UInt16 = 400
    public static let interface: UInt16 = 401
    public static let cellularICCID: UInt16 = 554
    public static let wifiJoinNewNetwork: UInt16 = 500
    public static let startFirmwareUpdate: UInt16 = 250
    public static let finishFirmwareUpdate: UInt16 = 251
    public static let cancelFirmwareUpdate: UInt16 = 252
    public static let firmwareUpdateData: UInt16 = 253
    public static let wifiGetKnownNetworks: UInt16 = 502
    public static let wifiRemoveKnownNetwork: UInt16 = 503
    public static let wifiClearKnownNetworks: UInt16 = 504
    public static let wifiGetCurrentNetwork: UInt16 = 505
    public static let wifiScanNetworks: UInt16 = 506
    public static let wifiSetNetworkCredentials: UInt16 = 507

    static let names: [UInt16: String] = [
        echo: "ECHO", deviceID: "DEVICE_ID", serialNumber: "SERIAL_NUMBER", systemVersion: "SYSTEM_VERSION",
        reset: "RESET", dfuMode: "DFU_MODE", safeMode: "SAFE_MODE", startListening: "START_LISTENING",
        stopListening: "STOP_LISTENING", getDeviceMode: "GET_DEVICE_MODE", getProtectedState: "GET_PROTECTED_STATE", moduleInfo: "GET_MODULE_INFO",
        setClaimCode: "SET_CLAIM_CODE", isClaimed: "IS_CLAIMED", cloudConnectionStatus: "CLOUD_GET_CONNECTION_STATUS",
        startFirmwareUpdate: "START_FIRMWARE_UPDATE", finishFirmwareUpdate: "FINISH_FIRMWARE_UPDATE",
        cancelFirmwareUpdate: "CANCEL_FIRMWARE_UPDATE", firmwareUpdateData: "FIRMWARE_UPDATE_DATA",
        cellularICCID: "GET_ICCID", wifiJoinNewNetwork: "WIFI_JOIN_NEW_NETWORK",
        wifiGetKnownNetworks: "WIFI_GET_KNOWN_NETWORKS", wifiRemoveKnownNetwork: "WIFI_REMOVE_KNOWN_NETWORK",
        wifiClearKnownNetworks: "WIFI_CLEAR_KNOWN_NETWORKS", wifiGetCurrentNetwork: "WIFI_GET_CURRENT_NETWORK",
        wifiScanNetworks: "WIFI_SCAN_NETWORKS", wifiSetNetworkCredentials: "WIFI_SET_NETWORK_CREDENTIALS", interfaceList: "NETWORK_GET_INTERFACE_LIST", interface: "NETWORK_GET_INTERFACE",
    ]

    /// "GET_DEVICE_MODE (72)", or just the number for a type without a name here.
    public static func name(of type: UInt16) -> String {
        names[type].map { "\($0) (\(type))" } ?? "\(type)"
    }
}

/// One control request: its type, its payload, how long it may take in all, and how often it is CHECKed.
public struct ControlRequest: Sendable, Equatable {
    public var type: UInt16
    public var payload: [UInt8]
    /// Milliseconds from the request's start until it fails with `.timedOut` (particle-usb's default is 60 s).
    public var timeoutMilliseconds: Int64
    /// The delays before successive CHECKs (ms); the last repeats, the count restarts after the payload is sent.
    public var checkIntervals: [Int64]

    public static let defaultTimeoutMilliseconds: Int64 = 60_000

    public init(type: UInt16, payload: [UInt8] = [], timeoutMilliseconds: Int64 = ControlRequest.defaultTimeoutMilliseconds,
                checkIntervals: [Int64] = RequestExchange.checkIntervals) {
        self.type = type
        self.payload = payload
        self.timeoutMilliseconds = timeoutMilliseconds
        self.checkIntervals = checkIntervals.isEmpty ? RequestExchange.checkIntervals : checkIntervals.map { max(0, $0) }
    }
}

/// A finished request: the device's result code and its reply payload.
public struct ControlReply: Sendable, Equatable {
    public var result: ResultCode
    public var data: [UInt8]

    public init(result: ResultCode, data: [UInt8] = []) {
        self.result = result
        self.data = data
    }

    /// The reply data when the result is 0; otherwise the error (−1801 as `.protected`).
    public func checked(type: UInt16) throws(USBError) -> [UInt8] {
        if result == .none { return data }
        if result == .protected { throw USBError(.protected, requestType: type) }
        throw USBError(.requestFailed(result), requestType: type)
    }
}
