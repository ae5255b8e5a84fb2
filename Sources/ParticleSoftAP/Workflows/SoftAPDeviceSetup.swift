import ParticleCore

/// The whole SoftAP setup of a Photon/P1 as one workflow: device ID, public key, the network (given, or from the
/// device's scan), the credentials (checked), then claim code, Wi-Fi credentials and connect. Everything is known and
/// checked before the first write to the device, so a bad password or an unknown network leaves the device as it was.
public struct SoftAPDeviceSetup: Sendable {
    /// The network to store: its security and channel given, or nil to take them from the device's scan.
    public struct Network: Sendable {
        public var ssid: String
        public var security: SoftAPSecurity?
        public var channel: Int
        public init(ssid: String, security: SoftAPSecurity? = nil, channel: Int = 0) {
            self.ssid = ssid
            self.security = security
            self.channel = channel
        }
    }

    /// What the caller is told as the setup goes.
    public enum Progress: Sendable {
        case deviceFound(SoftAPDeviceInfo)
        case publicKey(SoftAPPublicKey)
        case scanning(ssid: String)
        case networkFound(SoftAPNetwork)
        case claimCodeSet
        case credentialsStored(security: SoftAPSecurity, channel: Int)
        case connectSent(SoftAPConnectOutcome)
    }

    /// What the setup did.
    public struct Outcome: Sendable, Equatable {
        public var device: SoftAPDeviceInfo
        public var security: SoftAPSecurity
        public var channel: Int
        public var claimCodeSet: Bool
        public var connect: SoftAPConnectOutcome
    }

    public let client: SoftAPClient
    public var network: Network
    public var claimCode: String?
    /// The secrets for the network's security, once it is known (from the arguments, or after the scan): a password
    /// read from stdin or asked at a prompt, certificate files … Asked only after the device answered.
    public var credentials: @Sendable (SoftAPSecurity) throws -> SoftAPCredentials

    public init(client: SoftAPClient, network: Network, claimCode: String? = nil,
                credentials: @escaping @Sendable (SoftAPSecurity) throws -> SoftAPCredentials) {
        self.client = client
        self.network = network
        self.claimCode = claimCode
        self.credentials = credentials
    }

    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Outcome {
        if let claimCode { try SoftAPInputRules.checkClaimCode(claimCode) }
        let device = try await client.deviceInfo()
        progress(.deviceFound(device))
        let key = try await client.publicKey()
        progress(.publicKey(key))
        var security: SoftAPSecurity
        var channel = network.channel
        if let given = network.security {
            security = given
        } else {
            progress(.scanning(ssid: network.ssid))
            let match = try await client.findNetwork(ssid: network.ssid)
            progress(.networkFound(match))
            security = match.security
            channel = match.channel
        }
        let credentials = try self.credentials(security)
        try credentials.check(ssid: network.ssid, security: security)

        if let claimCode {
            try await client.setClaimCode(claimCode)
            progress(.claimCodeSet)
        }
        try await client.configure(ssid: network.ssid, security: security, channel: channel, credentials: credentials,
                                   publicKey: key)
        progress(.credentialsStored(security: security, channel: channel))
        let outcome = try await client.connect()
        progress(.connectSent(outcome))
        return Outcome(device: device, security: security, channel: channel, claimCodeSet: claimCode != nil,
                       connect: outcome)
    }
}
