import Foundation
import ParticleCore

/// Wi-Fi credentials in the clear, as a user gives them. `configuration(…)` checks them and encrypts the secrets for
/// one device. Never printed: `description` says only which kind they are.
public enum SoftAPCredentials: Sendable, CustomStringConvertible {
    /// An open network: no password is sent.
    case none
    /// WEP, WPA or WPA2 personal.
    case password(String)
    /// WPA/WPA2 enterprise with PEAP/MSCHAPv2.
    case peap(identity: String, password: String, outerIdentity: String?)
    /// WPA/WPA2 enterprise with EAP-TLS: PEM texts.
    case tls(certificatePEM: String, privateKeyPEM: String, caPEM: String?, outerIdentity: String?)

    public var description: String {
        switch self {
        case .none: "no password"
        case .password: "password (hidden)"
        case .peap: "PEAP identity and password (hidden)"
        case .tls: "EAP-TLS certificate and key (hidden)"
        }
    }

    /// Checks the credentials against the network's security without the device (pure): what `configuration`
    /// checks before encrypting, so a caller can refuse bad input before the first request.
    public func check(ssid: String, security: SoftAPSecurity) throws(SoftAPError) {
        try SoftAPInputRules.checkSSID(ssid)
        guard security != .unknown else {
            throw .securityUnknown
        }
        let shown = UntrustedText.escaped(ssid)
        switch self {
        case .none:
            guard security.isOpen else {
                throw .invalidInput("\"\(shown)\" is a \(security.name) network: a password is needed")
            }
        case let .password(password):
            guard !security.isOpen else {
                throw .invalidInput("\"\(shown)\" is an open network: it takes no password")
            }
            guard !security.isEnterprise else {
                throw .enterpriseCredentialsMissing(ssid: ssid)
            }
            try SoftAPInputRules.checkPassword(password, security: security)
        case let .peap(identity, password, _):
            guard security.isEnterprise else { throw .invalidInput("PEAP needs an enterprise network (\(security.name) is not)") }
            guard !identity.isEmpty, !password.isEmpty else { throw .invalidInput("PEAP needs an identity and a password") }
            try SoftAPInputRules.checkPassword(password, security: security)
        case .tls:
            guard security.isEnterprise else { throw .invalidInput("EAP-TLS needs an enterprise network (\(security.name) is not)") }
        }
    }

    /// Checks the credentials against the network's security and encrypts them with the device's key.
    public func configuration(ssid: String, security: SoftAPSecurity, channel: Int,
                              publicKey: SoftAPPublicKey) throws(SoftAPError) -> SoftAPWiFiConfiguration {
        try check(ssid: ssid, security: security)
        let sealed: SoftAPWiFiConfiguration.Credentials
        switch self {
        case .none:
            sealed = .none
        case let .password(password):
            sealed = .password(encryptedHex: try publicKey.encryptPassword(password))
        case let .peap(identity, password, outer):
            sealed = .peap(identity: identity, outerIdentity: outer,
                           encryptedPasswordHex: try publicKey.encryptPassword(password))
        case let .tls(certificate, privateKey, ca, outer):
            let (ek, key) = try publicKey.encryptPrivateKey(pem: privateKey)
            sealed = .tls(certificatePEM: certificate, encryptedKeyHex: ek, encryptedPrivateKeyHex: key, caPEM: ca,
                          outerIdentity: outer)
        }
        return SoftAPWiFiConfiguration(ssid: ssid, security: security, channel: channel, credentials: sealed)
    }
}

/// What the firmware accepts, checked before anything is sent so the user gets a precise message.
public enum SoftAPInputRules {
    /// The device keeps 63 bytes of a claim code.
    public static let maximumClaimCodeBytes = 63

    public static func checkClaimCode(_ code: String) throws(SoftAPError) {
        guard !code.isEmpty else { throw .invalidInput("the claim code is empty") }
        guard code.utf8.count <= maximumClaimCodeBytes else {
            throw .invalidInput("the claim code is \(code.utf8.count) bytes; the device keeps at most \(maximumClaimCodeBytes), get a fresh one from the cloud")
        }
        guard !code.contains("\""), !code.contains("\\") else {
            throw .invalidInput("the claim code contains \" or \\, which the device would store escaped; claim codes from the cloud never do")
        }
    }

    public static func checkSSID(_ ssid: String) throws(SoftAPError) {
        guard !ssid.isEmpty, ssid.utf8.count <= 32 else {
            throw .invalidInput("the SSID must be 1 to 32 bytes (\"\(UntrustedText.escaped(ssid))\" is \(ssid.utf8.count))")
        }
        guard !ssid.contains("\""), !ssid.contains("\\") else {
            throw .invalidInput("the SSID contains \" or \\, which the Photon firmware cannot store over SoftAP; use USB serial setup instead")
        }
    }

    /// Lengths the firmware enforces (the message never repeats the password).
    public static func checkPassword(_ password: String, security: SoftAPSecurity) throws(SoftAPError) {
        let length = password.utf8.count
        if security.isEnterprise {
            guard (1...64).contains(length) else { throw .invalidInput("the password must be 1 to 64 bytes") }
        } else if security.isWEP {
            guard (5...58).contains(length) else { throw .invalidInput("a WEP key must be 5 to 58 characters") }
        } else {
            guard (8...64).contains(length) else { throw .invalidInput("a WPA/WPA2 password must be 8 to 64 characters") }
        }
    }
}
