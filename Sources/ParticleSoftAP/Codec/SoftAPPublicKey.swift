import Crypto
import Foundation
import _CryptoExtras

/// The device's RSA-1024 public key, as `public-key` delivers it, and the encryption the device expects.
///
/// The device sends its 294-byte DCT key slot in hex: a DER SubjectPublicKeyInfo (162 bytes for RSA-1024) followed by
/// zero padding. Secrets sent in `configure-ap` are encrypted with RSA PKCS#1 v1.5 and written as lower-case hex.
public struct SoftAPPublicKey: Sendable {
    /// The SubjectPublicKeyInfo DER bytes (padding removed).
    public let derRepresentation: [UInt8]
    public let keySizeInBits: Int

    /// Decodes the `b` value of a `public-key` reply.
    public init(deviceHex hex: String) throws(SoftAPError) {
        try self.init(der: DeviceKeySlot.der(fromHex: hex))
    }

    /// From SubjectPublicKeyInfo (or PKCS#1) DER. 1024-bit keys are accepted: the Photon has nothing bigger.
    public init(der: [UInt8]) throws(SoftAPError) {
        let key = try Self.rsaKey(der)
        derRepresentation = Array(key.derRepresentation)
        keySizeInBits = key.keySizeInBits
    }

    private static func rsaKey(_ der: [UInt8]) throws(SoftAPError) -> _RSA.Encryption.PublicKey {
        do {
            return try _RSA.Encryption.PublicKey(unsafeDERRepresentation: der)
        } catch {
            throw SoftAPError.invalidPublicKey("it is not an RSA public key")
        }
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex.
    public var fingerprint: String { Hex.encode(Array(SHA256.hash(data: derRepresentation))) }

    /// PEM ("PUBLIC KEY", SubjectPublicKeyInfo), as `openssl rsa -pubin` reads it.
    public var pemRepresentation: String {
        let base64 = Data(derRepresentation).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN PUBLIC KEY-----\n" + lines.joined(separator: "\n") + "\n-----END PUBLIC KEY-----"
    }

    /// The 294-byte slot in upper-case hex, exactly as a device sends it.
    public var deviceHex: String {
        Hex.encode(derRepresentation + [UInt8](repeating: 0, count: max(0, 294 - derRepresentation.count))).uppercased()
    }

    /// RSA PKCS#1 v1.5 over the bytes, as lower-case hex (256 characters for a 1024-bit key).
    public func encrypt(_ plaintext: [UInt8]) throws(SoftAPError) -> String {
        let key = try Self.rsaKey(derRepresentation)
        do {
            return Hex.encode(Array(try key.encrypt(plaintext, padding: ._WEAK_AND_INSECURE_PKCS_V1_5)))
        } catch {
            throw SoftAPError.encryptionFailed
        }
    }

    /// Encrypts a Wi-Fi password (its UTF-8 bytes, no terminator) for `pwd`.
    public func encryptPassword(_ password: String) throws(SoftAPError) -> String {
        try encrypt(Array(password.utf8))
    }

    /// EAP-TLS private key: a random 32-byte key+IV, RSA-encrypted for `ek`, and the PEM AES-128-CBC-encrypted
    /// (PKCS#7) with it for `key`.
    public func encryptPrivateKey(pem: String) throws(SoftAPError) -> (ek: String, key: String) {
        var kiv = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in kiv.indices { kiv[index] = generator.next() }
        return try encryptPrivateKey(pem: pem, keyAndIV: kiv)
    }

    func encryptPrivateKey(pem: String, keyAndIV kiv: [UInt8]) throws(SoftAPError) -> (ek: String, key: String) {
        let ciphertext: Data
        do {
            ciphertext = try AES._CBC.encrypt(Array(pem.utf8), using: SymmetricKey(data: kiv[0..<16]),
                                              iv: AES._CBC.IV(ivBytes: kiv[16..<32]))
        } catch {
            throw SoftAPError.encryptionFailed
        }
        return (try encrypt(kiv), Hex.encode(Array(ciphertext)))
    }
}
