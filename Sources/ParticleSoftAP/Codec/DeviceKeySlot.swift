/// The device's key slot as `public-key` delivers it: 294 bytes in hex, a DER SubjectPublicKeyInfo followed by zero
/// padding. Reading how long the DER really is needs no cryptography, so it lives here, apart from the RSA key built
/// from it (`SoftAPPublicKey`), and the SoftAP fuzzer (fuzz/softap) links this very code.
public enum DeviceKeySlot {
    /// The DER bytes at the start of the slot (padding removed), or why the slot is not one.
    public static func der(fromHex hex: String) throws(SoftAPError) -> [UInt8] {
        guard let slot = Hex.decode(hex) else { throw SoftAPError.invalidPublicKey("the key is not hex") }
        // DER SEQUENCE with a one- or two-byte long-form length: read how long the real key is, drop the padding.
        guard slot.count >= 3, slot[0] == 0x30 else { throw SoftAPError.invalidPublicKey("the key is not DER") }
        let total: Int
        switch slot[1] {
        case 0x81: total = 3 + Int(slot[2])
        case 0x82 where slot.count >= 4: total = 4 + Int(slot[2]) << 8 + Int(slot[3])
        case let short where short < 0x80: total = 2 + Int(short)
        default: throw SoftAPError.invalidPublicKey("the key's DER length is unreadable")
        }
        guard total <= slot.count else { throw SoftAPError.invalidPublicKey("the key is truncated") }
        return Array(slot[0..<total])
    }
}
