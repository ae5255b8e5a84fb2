// The fuzz build leaves out swift-crypto, so it cannot build the RSA key: this SoftAPPublicKey keeps what
// `SoftAPReplyDecoder.publicKey` needs and reads the slot with the shipped parser (Sources/ParticleSoftAP/Codec/
// DeviceKeySlot.swift, compiled into the fuzzer), exactly as the real `SoftAPPublicKey.init(deviceHex:)` does before
// it hands the DER to swift-crypto.
public struct SoftAPPublicKey: Sendable {
    public let derRepresentation: [UInt8]

    public init(deviceHex hex: String) throws(SoftAPError) {
        derRepresentation = try DeviceKeySlot.der(fromHex: hex)
    }
}
