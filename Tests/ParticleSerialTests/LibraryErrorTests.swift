import ParticleSerial
import Testing

/// Library errors say *what* is missing; how to give it is the caller's business (`advice`).
@Suite("Library errors")
struct LibraryErrorTests {
    @Test(arguments: ListeningModePrompt.allCases)
    func aMissingValueNamesNoCommandLineOption(prompt: ListeningModePrompt) {
        let error = ListeningModeError(.dialogue(.missing(prompt)), port: "/dev/ttyACM0", seconds: 5)
        #expect(!error.message.contains("--"), "\(error.message)")
        #expect(error.message.hasSuffix("but none was given — give it and retry"))
        #expect(error.exitStatus == .usage)
    }

    @Test func theCallersAdviceTakesItsPlace() {
        var error = ListeningModeError(.dialogue(.missing(.cipher)), port: "/dev/ttyACM0", seconds: 5)
        error.advice = "set wifi.cipher in the profile"
        #expect(error.message == "the device on /dev/ttyACM0 asks for \(ListeningModePrompt.cipher.summary), but none was given — set wifi.cipher in the profile")
    }
}
