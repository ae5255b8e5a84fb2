import ParticleSerial
import Testing

/// The dialogues fed the console's recorded output; the device's side is exactly what Device OS prints, including
/// the echo of each answer.
@Suite("Dialogues on recorded bytes")
struct DialogueTests {
    /// Plays a recorded exchange: `device` chunks are fed, and after each `.send` the next chunk must follow.
    /// Returns the answers sent and the final action.
    static func play<D: Dialogue>(_ dialogue: inout D, _ deviceChunks: [String], splitEvery: Int? = nil)
        -> (sent: [String], end: DialogueAction) {
        var sent: [String] = []
        for chunk in deviceChunks {
            let bytes = Array(chunk.utf8)
            let pieces: [[UInt8]] = splitEvery.map { size in stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) } } ?? [bytes]
            for piece in pieces {
                dialogue.append(piece)
                while true {
                    let action = dialogue.step()
                    switch action {
                    case .wait: break
                    case .send(let answer): sent.append(String(decoding: answer.bytes, as: UTF8.self)); continue
                    default: return (sent, action)
                    }
                    break
                }
            }
        }
        return (sent, .wait)
    }

    static let success = "Thanks! Wait while I save those credentials...\r\n\r\nAwesome. Now we'll connect!\r\n\r\nIf you see a pulsing cyan light, your device \r\nhas connected to the Cloud and is ready to go!\r\n\r\nIf your LED flashes red or you encounter any other problems,\r\nvisit https://www.particle.io/support to debug.\r\n\r\n    Particle <3 you!\r\n\r\n"
    static let securityPhoton = "Security 0=unsecured, 1=WEP, 2=WPA, 3=WPA2, 4=WPA Enterprise, 5=WPA2 Enterprise: "
    static let securityShort = "Security 0=unsecured, 1=WEP, 2=WPA, 3=WPA2: "
    static let cipher = "Security Cipher 1=AES, 2=TKIP, 3=AES+TKIP: "

    /// The network was not in the device's scan: every prompt appears.
    static let unseenNetwork = ["SSID: ", "Bench\r\n" + securityPhoton, "3\r\n" + cipher, "1\r\nPassword: ", "hunter2hunter2\r\n" + success]

    @Test(arguments: [nil, 1, 2, 3, 5, 7])
    func wifiAnswersEveryPromptWhenTheNetworkWasNotSeen(splitEvery: Int?) {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", security: .wpa2, password: "hunter2hunter2"))
        let (sent, end) = Self.play(&dialogue, Self.unseenNetwork, splitEvery: splitEvery)
        #expect(sent == ["Bench\n", "3\n", "1\n", "hunter2hunter2\n"])
        #expect(end == .finished)
    }

    @Test func wifiSkipsSecurityAndCipherWhenTheDeviceSawTheNetwork() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", password: "hunter2hunter2"))
        let (sent, end) = Self.play(&dialogue, ["SSID: ", "Bench\r\nPassword: ", "hunter2hunter2\r\n" + Self.success])
        #expect(sent == ["Bench\n", "hunter2hunter2\n"])
        #expect(end == .finished)
    }

    @Test func theShortSecurityPromptIsNotMistakenForThePrefixOfTheLongOne() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", security: .wpa2Enterprise))
        // Only the first part of the long prompt has arrived: that is no prompt yet.
        dialogue.append(Array("SSID: ".utf8))
        #expect(dialogue.step() == .send(.line("Bench", for: .ssid)))
        dialogue.append(Array("Bench\r\nSecurity 0=unsecured, 1=WEP, 2=WPA, 3=WPA2".utf8))
        #expect(dialogue.step() == .wait)
        dialogue.append(Array(", 4=WPA Enterprise, 5=WPA2 Enterprise: ".utf8))
        #expect(dialogue.step() == .send(.line("5", for: .securityWithEnterprise)))
    }

    @Test func enterpriseOnADeviceWithoutItIsUnsupported() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", security: .wpaEnterprise))
        let (_, end) = Self.play(&dialogue, ["SSID: ", "Bench\r\n" + Self.securityShort])
        #expect(end == .failed(.unsupported("it does not support WPA Enterprise networks — choose another security type")))
    }

    @Test func aReAskedPromptMeansTheAnswerWasRefused() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", security: .wpa3))
        let (sent, end) = Self.play(&dialogue, ["SSID: ", "Bench\r\n" + Self.securityShort, "6\r\n" + Self.securityShort])
        #expect(sent == ["Bench\n", "6\n"])
        #expect(end == .failed(.rejected(.security)))
    }

    @Test func aMissingSecurityIsAskedFor() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench"))
        let (_, end) = Self.play(&dialogue, ["SSID: ", "Bench\r\n" + Self.securityShort])
        #expect(end == .ask(.security))
        #expect(dialogue.provide("wpa2", for: .security) == .send(.line("3", for: .security)))
    }

    @Test func theSaveFailureIsReported() {
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Bench", password: "short"))
        let (_, end) = Self.play(&dialogue, ["SSID: ", "Bench\r\nPassword: ", "short\r\nThanks! Wait while I save those credentials...\r\n\r\nDerp. Sorry, we couldn't save the credentials.\r\n\r\n"])
        #expect(end == .failed(.saveFailed("Derp. Sorry, we couldn't save the credentials.")))
    }

    @Test func anEchoedAnswerThatLooksLikeAPromptIsNotOne() {
        // An SSID named like a prompt: its echo must not be read as the device asking for a password.
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Password: ", security: .unsecured))
        let (sent, end) = Self.play(&dialogue, ["SSID: ", "Password: \r\n" + Self.securityShort, "0\r\n" + Self.cipher, "1\r\n" + Self.success])
        #expect(sent == ["Password: \n", "0\n", "1\n"])
        #expect(end == .finished)
    }

    @Test func eapTLSSendsPEMBlocksEndedByAnEmptyLine() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        var dialogue = WiFiDialogue(credentials: WiFiCredentials(ssid: "Corp", security: .wpa2Enterprise, eap: .tls,
                                                                 clientCertificate: pem, privateKey: pem))
        let (sent, end) = Self.play(&dialogue, [
            "SSID: ", "Corp\r\n" + Self.securityPhoton, "5\r\n" + Self.cipher,
            "1\r\nEAP Type 0=PEAP/MSCHAPv2, 1=EAP-TLS: ",
            "1\r\nClient certificate in PEM format:\r\n",
            "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n\r\nPrivate key in PEM format:\r\n",
            "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n\r\nOuter identity (optional): ",
            "\r\nRoot CA in PEM format (optional):\r\n", "\r\n" + Self.success,
        ])
        #expect(sent == ["Corp\n", "5\n", "1\n", "1\n", pem + "\n", pem + "\n", "\n", "\n"])
        #expect(end == .finished)
    }

    static let code = String(repeating: "A", count: 62) + "z"

    @Test(arguments: [nil, 1, 4])
    func claimCodeIsConfirmed(splitEvery: Int?) {
        var dialogue = ClaimCodeDialogue(code: Self.code)
        let (sent, end) = Self.play(&dialogue, ["Enter 63-digit claim code: ", Self.code + "\r\nClaim code set to: " + Self.code + "\r\n"], splitEvery: splitEvery)
        #expect(sent == [Self.code + "\n"])
        #expect(end == .finished)
    }

    @Test func aShortClaimCodeIsRefusedByTheDevice() {
        var dialogue = ClaimCodeDialogue(code: Self.code)
        let (_, end) = Self.play(&dialogue, ["Enter 63-digit claim code: ", "AAAA\r\nSorry, claim code is not 63 characters long. Claim code unchanged.\r\n"])
        #expect(end == .failed(.rejected(.claimCode)))
    }

    @Test func claimCodeValidation() {
        #expect(ClaimCodeDialogue.problem(with: Self.code) == nil)
        #expect(ClaimCodeDialogue.problem(with: "abc") == "a claim code is 63 characters long; this one has 3")
        #expect(ClaimCodeDialogue.problem(with: String(repeating: "a", count: 62) + " ") != nil)
    }

    @Test func transcriptsMaskSecretsAlsoAcrossChunks() {
        var masker = SecretMasker()
        masker.add(Array("hunter2hunter2\n".utf8))
        let echoed = Array("hunter2hunter2\r\nThanks!".utf8)
        var shown: [UInt8] = []
        for byte in echoed { shown += masker.mask([byte]) }
        shown += masker.flush()
        #expect(String(decoding: shown, as: UTF8.self) == "***\r\nThanks!")
    }
}
