// The fuzz build leaves out swift-crypto: this stands in for SoftAPPublicKey (Sources/ParticleSoftAP/Codec/
// SoftAPPublicKey.swift) with the same DER length checks, so `SoftAPReplyDecoder.publicKey` is fuzzed too.
public struct SoftAPPublicKey: Sendable {
    public let derRepresentation: [UInt8]

    public init(deviceHex hex: String) throws(SoftAPError) {
        guard let slot = Hex.decode(hex) else { throw SoftAPError.invalidPublicKey("the key is not hex") }
        guard slot.count >= 3, slot[0] == 0x30 else { throw SoftAPError.invalidPublicKey("the key is not DER") }
        let total = slot[1] == 0x81 ? 3 + Int(slot[2]) : 2 + Int(slot[1] & 0x7F)
        guard total <= slot.count else { throw SoftAPError.invalidPublicKey("the key is truncated") }
        derRepresentation = Array(slot[0..<total])
    }
}
