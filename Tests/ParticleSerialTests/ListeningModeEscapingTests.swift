import ParticleCore
import Testing
@testable import ParticleSerial

/// Device text that reaches an error line is escaped: a device cannot drive the terminal through particlectl.
@Suite struct ListeningModeEscapingTests {
    @Test func saveFailureTextFromTheDeviceIsEscaped() {
        let line = "\u{1B}]0;pwned\u{07}\u{1B}[2JDerp. Sorry, we couldn't save the credentials."
        let error = ListeningModeError(.dialogue(.saveFailed(line)), port: "/dev/ttyACM0", seconds: 5)
        #expect(error.message == #"the device on /dev/ttyACM0 could not save the credentials ("\x1b]0;pwned\x07\x1b[2JDerp. Sorry, we couldn't save the credentials.") — check the security type and the password length, then retry"#)
    }

    @Test func transcriptUsesTheSharedEscaping() {
        let entry = TranscriptEntry(direction: .received, bytes: [0x1B, 0x5B, 0x32, 0x4A, 0x0D, 0x0A, 0xFF])
        #expect(entry.text == #"\x1b[2J\r\n\xff"#)
        #expect(entry.text == UntrustedText.escaped(bytes: entry.bytes))
    }
}
