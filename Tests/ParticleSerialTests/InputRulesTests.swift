import ParticleCore
import ParticleSerial
import ParticleSimulators
import Testing

/// The rules that protect library callers as well as the CLI: durations, text typed into the console, claim codes.
@Suite("Input rules")
struct InputRulesTests {
    @Test(arguments: ["inf", "-inf", "nan", "1e300", "-1", "0", "1e-9", "0.009", "86400.5", "abc", ""])
    func nonsenseDurationsAreRefused(text: String) {
        #expect(throws: InvalidSeconds(text: text)) { _ = try Seconds(parsing: text) }
        #expect(InvalidSeconds(text: text).exitStatus == .usage)
    }

    @Test(arguments: [("5", 5.0), ("0.01", 0.01), ("86400", 86400), (" 2.5 ", 2.5)])
    func sensibleDurationsAreKept(text: String, value: Double) throws {
        #expect(try Seconds(parsing: text).value == value)
    }

    @Test func deadlinesNeverTrapWhateverTheyAreGiven() {
        for seconds in [Double.infinity, -.infinity, .nan, 1e300, -1, 0, .greatestFiniteMagnitude, 1e-9] {
            let deadline = MonotonicDeadline(seconds: seconds)
            #expect(deadline.remainingMilliseconds >= 0)
        }
        #expect(MonotonicDeadline(seconds: .nan).hasPassed)
        #expect(MonotonicDeadline(seconds: -1).hasPassed)
        #expect(!MonotonicDeadline(seconds: .infinity).hasPassed)
        #expect(MonotonicDeadline(seconds: .infinity).remainingMilliseconds == Int32.max)
        #expect(!MonotonicDeadline(millisecondsFromNow: .max).hasPassed)
    }

    @Test(arguments: [
        (WiFiCredentials(ssid: "ab\u{8}cd"), "the SSID contains a backspace (0x08), which the device's console would act on instead of storing — remove it"),
        (WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct\u{7f}horse"), "the password contains a DEL (0x7F), which the device's console would act on instead of storing — remove it"),
        (WiFiCredentials(ssid: "Bench\0"), "the SSID contains a control character (0x00), which the device's console would act on instead of storing — remove it"),
        (WiFiCredentials(ssid: "Bench", security: .wpa2Enterprise, username: "al\u{15}ice"), "the username contains a control character (0x15), which the device's console would act on instead of storing — remove it"),
        (WiFiCredentials(ssid: "Bench", outerIdentity: "anon\r"), "the outer identity contains a line break"),
        (WiFiCredentials(ssid: "Bench", security: .wpa2Enterprise, eap: .tls, clientCertificate: "-----BEGIN\u{8}"), "the client certificate contains a backspace (0x08), which the device's console would act on instead of storing — remove it"),
    ])
    func textTheConsoleWouldEditIsRefused(credentials: WiFiCredentials, problem: String) {
        #expect(credentials.problem() == problem)
    }

    @Test func spacesAndUnicodeAreFine() {
        #expect(WiFiCredentials(ssid: " Café Wi-Fi ", security: .wpa2, password: "  spaced passphrase  ").problem() == nil)
        #expect(WiFiCredentials(ssid: "Bench", security: .wpa2Enterprise, eap: .tls, clientCertificate: "-----BEGIN-----\r\nAAAA\r\n").problem() == nil)
    }

    @Test func theClientRefusesBeforeSendingAnything() throws {
        // Nothing answers on this pty: the check comes before anything is sent.
        let pty = try PseudoTerminal()
        defer { pty.hangUp() }
        let client = ListeningModeClient(port: try SerialPort(path: pty.slavePath), timeout: 0.2)
        defer { client.close() }
        #expect(throws: UserError.self) { try client.configureWiFi(WiFiCredentials(ssid: "ab\u{8}cd")) }
        #expect(throws: UserError.self) { try client.setClaimCode(String(repeating: "a", count: 62) + "_") }
        #expect(pty.readMaster(count: 1, seconds: 0.2).isEmpty)
    }

    static let cloudExample = "rCFr2KAJNgzJ2rR3Jm1ZoUd7G4Sr3ak7MRHdWrM274eYzInP1+psZ0fP2qNehlj"

    @Test func claimCodesUseTheCloudsAlphabet() {
        #expect(ClaimCodeDialogue.problem(with: Self.cloudExample) == nil)
        #expect(ClaimCodeDialogue.problem(with: String(repeating: "/", count: 63)) == nil)
        let alphabet = "a claim code contains only the characters the cloud issues (A–Z, a–z, 0–9, + and /) — copy it exactly from `particlectl cloud claim-code` or the Cloud API"
        for bad in ["_", "-", "=", "!", "é"] {
            let code = String(Self.cloudExample.dropLast(bad == "é" ? 2 : 1)) + bad
            #expect(ClaimCodeDialogue.problem(with: code) == alphabet, "\(bad)")
        }
        #expect(ClaimCodeDialogue.problem(with: String(Self.cloudExample.dropLast()) + "\u{7f}")
                == "the claim code contains a DEL (0x7F), which the device's console would act on instead of storing — remove it")
    }
}
