import Crypto
import Foundation
import ParticleSoftAP
import _CryptoExtras

/// The simulated Photon's RSA-1024 key pair: what `public-key` sends, and the decryption `configure-ap` performs.
public struct SimulatedDeviceKey: Sendable {
    /// PKCS#1 DER of the private key (kept as bytes: the key type itself is not Sendable).
    private let privateDER: Data
    /// The 294-byte DCT slot in upper-case hex, as the device sends it.
    public let deviceHex: String

    /// Generates a fresh key, as a device does once at manufacture.
    public init() throws {
        let key = try _RSA.Encryption.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        privateDER = key.derRepresentation
        var slot = Array(key.publicKey.derRepresentation)
        slot += [UInt8](repeating: 0, count: max(0, 294 - slot.count))
        deviceHex = Hex.encode(slot).uppercased()
    }

    /// Why decryption failed, as the device reports it (negative mbedTLS codes).
    public enum DecryptionFailure: Error, Equatable {
        /// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`: not hex, or not one RSA block.
        case badInput
        /// `MBEDTLS_ERR_RSA_INVALID_PADDING`.
        case invalidPadding

        public var deviceCode: Int {
            switch self {
            case .badInput: -16512
            case .invalidPadding: -16640
            }
        }
    }

    /// hex → RSA PKCS#1 v1.5 decrypt, like the firmware's `decrypt()`.
    public func decrypt(hex: String) throws(DecryptionFailure) -> [UInt8] {
        guard let bytes = Hex.decode(hex), bytes.count == 128 else { throw .badInput }
        do {
            let key = try _RSA.Encryption.PrivateKey(unsafeDERRepresentation: privateDER)
            return Array(try key.decrypt(bytes, padding: ._WEAK_AND_INSECURE_PKCS_V1_5))
        } catch {
            throw .invalidPadding
        }
    }

    /// AES-128-CBC decryption of an EAP-TLS private key with the RSA-protected key and IV (`ek`, `key`).
    public func decryptPrivateKey(ek: String, key: String) throws(DecryptionFailure) -> [UInt8] {
        let kiv = try decrypt(hex: ek)
        guard kiv.count == 32, let ciphertext = Hex.decode(key) else { throw .badInput }
        do {
            return Array(try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: kiv[0..<16]),
                                              iv: AES._CBC.IV(ivBytes: kiv[16..<32])))
        } catch {
            throw .invalidPadding
        }
    }
}
