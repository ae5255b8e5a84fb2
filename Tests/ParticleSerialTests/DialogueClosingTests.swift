import Glibc
import ParticleCore
import ParticleSerial
import ParticleSimulators
import Testing

/// An unfinished dialogue is closed, not abandoned: after any failure in the middle of `w` (or a dialogue somebody
/// else left open), the device ends up back at its idle console with its old credentials, and nothing is ever
/// typed into a prompt by mistake.
@Suite("Closing unfinished dialogues")
struct DialogueClosingTests {
    static let old = WiFiCredentials(ssid: "OldNet", security: .wpa2, cipher: .aes, password: "old-password")

    /// A device that already holds credentials, and a client on it.
    func withDevice(_ configuration: SimulatedDeviceConfiguration = SimulatedDeviceConfiguration(platform: .photon),
                    timeout: Double = 2, _ body: (ListeningModeClient, SimulatedDevice) throws -> Void) throws {
        let device = try SimulatedDevice(configuration)
        defer { device.stop() }
        device.wifiCredentials = Self.old
        let client = try ListeningModeClient(path: device.portPath, timeout: timeout)
        defer { client.close() }
        try body(client, device)
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(seconds: Double = 3, _ condition: () -> Bool) -> Bool {
        let deadline = MonotonicDeadline(seconds: seconds)
        while !deadline.hasPassed {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    /// The device is back where it started: idle console, listening, old credentials, answering `i`.
    func expectIdleWithOldCredentials(_ client: ListeningModeClient, _ device: SimulatedDevice) throws {
        #expect(device.openPrompt == nil)
        #expect(device.isListening)
        #expect(device.wifiCredentials == Self.old)
        #expect(try client.identify().deviceID.rawValue == "0123456789abcdef01234567")
    }

    @Test func aMissingValueAtAPromptClosesTheDialogueWithoutSaving() throws {
        try withDevice { client, device in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", password: "correct horse"))
            }
            #expect(error?.kind == .dialogue(.missing(.securityWithEnterprise)))
            #expect(error?.closure == .closed)
            #expect(error?.exitStatus == .usage)
            #expect(error?.message.hasSuffix("; the dialogue was closed without saving anything") == true)
            // After SSID "Bench": security 1 (WEP), cipher 1, an empty key: the device refuses to save.
            #expect(String(decoding: device.hostInput, as: UTF8.self) == "iwBench\n1\n1\n\n")
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func aCallerThatGivesUpAtAPromptGetsItsOwnReasonAndAClosedDialogue() throws {
        struct Typo: ParticleError {
            var exitStatus: ParticleCore.ExitStatus { .usage }
            var message: String { "interrupted while waiting for input" }
        }
        try withDevice { client, device in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench")) { _ in throw Typo() }
            }
            #expect(error?.kind == .gaveUp(reason: "interrupted while waiting for input", status: .usage))
            #expect(error?.closure == .closed)
            #expect(error?.message == "interrupted while waiting for input; the dialogue was closed without saving anything")
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func aStopWhileWaitingForTheNextPromptClosesTheDialogue() throws {
        try withDevice { client, device in
            // "Ctrl-C" right after the SSID went out: the client is waiting for the next prompt.
            client.shouldStop = { device.hostInput.contains(0x0a) }
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            }
            #expect(error?.kind == .interrupted)
            #expect(error?.closure == .closed)
            #expect(!String(decoding: device.hostInput, as: UTF8.self).contains("correct horse"))
            client.shouldStop = nil
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func anEnterpriseChoiceOnADeviceWithoutEnterpriseIsClosedToo() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .argon)) { client, device in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2Enterprise, eap: .peap,
                                                         username: "alice"))
            }
            #expect(error?.closure == .closed)
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func identifyRecognisesADeviceLeftAtAPromptAndCloseDialogueRecoversIt() throws {
        try withDevice { client, device in
            // Somebody started `w` and went away: the device waits at its SSID prompt.
            try client.port.write([0x77], deadline: MonotonicDeadline(seconds: 1))
            #expect(eventually { device.openPrompt == .ssid })
            usleep(50_000)
            client.port.discardInput() // a new process opening the port would not see the old prompt either
            client.timeout = 0.5
            let error = #expect(throws: ListeningModeError.self) { _ = try client.identify() }
            #expect(error?.kind == .waitingAtPrompt)
            #expect(error?.message == "the device on \(device.portPath) is waiting at a prompt of an unfinished dialogue (it echoed the command instead of answering) — run `particlectl serial close-dialogue --port \(device.portPath)`, then retry")
            client.timeout = 2
            #expect(try client.closeAbandonedDialogue() == .closed)
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func closingAClaimCodePromptLeavesTheCodeUnchanged() throws {
        try withDevice { client, device in
            try client.port.write(Array("C".utf8), deadline: MonotonicDeadline(seconds: 1))
            #expect(eventually { device.openPrompt == .claimCode })
            usleep(50_000)
            client.port.discardInput()
            #expect(try client.closeAbandonedDialogue() == .closed)
            #expect(device.claimCode == nil)
            try expectIdleWithOldCredentials(client, device)
        }
    }

    @Test func closingWhenNoDialogueIsOpenChangesNothing() throws {
        try withDevice(timeout: 0.5) { client, device in
            #expect(try client.closeAbandonedDialogue() == .closed)
            try expectIdleWithOldCredentials(client, device)
        }
    }

    /// Issue 11 item 6: the `i` probe used to follow a silent `w` and land in the SSID prompt that came late.
    @Test func aDeviceSlowToAnswerWIsNeverTypedIntoAndTheWaitIsTheTimeout() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .argon, faults: [.slowWiFi]), timeout: 0.5) { client, device in
            let start = MonotonicDeadline.now()
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            }
            let elapsed = MonotonicDeadline.now() - start
            client.close()
            #expect(error?.kind == .noWiFiPrompt)
            #expect(error?.exitStatus == .timedOut)
            #expect(elapsed >= 500 && elapsed < 900, "took \(elapsed) ms")
            // The late prompt finds nothing typed: `i` (before `w`, at the idle console) and `w`, nothing after.
            #expect(eventually { device.openPrompt == .ssid })
            #expect(!eventually(seconds: 0.3) { device.hostInput.count > 2 })
            #expect(device.hostInput == Array("iw".utf8))
        }
    }
}

/// What the closer answers to each prompt, from recorded bytes.
@Suite("DialogueCloser")
struct DialogueCloserTests {
    @Test func answersEachPromptSoThatNothingIsSaved() {
        var closer = DialogueCloser(open: .ssid)
        #expect(closer.step() == .send(.line("particlectl-closed", for: .ssid)))
        closer.append(Array("particlectl-closed\r\nSecurity 0=unsecured, 1=WEP, 2=WPA, 3=WPA2: ".utf8))
        #expect(closer.step() == .send(.line("1", for: .security)))
        closer.append(Array("1\r\nSecurity Cipher 1=AES, 2=TKIP, 3=AES+TKIP: ".utf8))
        #expect(closer.step() == .send(.line("1", for: .cipher)))
        closer.append(Array("1\r\nPassword: ".utf8))
        #expect(closer.step() == .send(.line("", for: .password)))
        closer.append(Array("\r\nThanks! Wait while I save those credentials...\r\n\r\n".utf8))
        #expect(closer.step() == .wait)
        closer.append(Array("Derp. Sorry, we couldn't save the credentials.\r\n\r\n".utf8))
        #expect(closer.step() == .closed)
    }

    @Test func aSaveDuringClosingIsReported() {
        var closer = DialogueCloser(open: nil)
        closer.append(Array("Thanks! Wait while I save those credentials...\r\n\r\nAwesome. Now we'll connect!\r\n\r\n    Particle <3 you!\r\n".utf8))
        #expect(closer.step() == .saved)
    }

    @Test func enterpriseAndPEMPromptsGetEmptyAnswers() {
        var closer = DialogueCloser(open: .eapType)
        #expect(closer.step() == .send(.line("0", for: .eapType)))
        closer.append(Array("0\r\nUsername: ".utf8))
        #expect(closer.step() == .send(.line("", for: .username)))
        closer.append(Array("\r\nRoot CA in PEM format (optional):\r\n".utf8))
        #expect(closer.step() == .send(.block("", for: .rootCA)))
    }
}

@Suite("Closing a dialogue on a device that is not listening")
struct DialogueClosingOnApplicationTests {
    @Test func anApplicationsOutputIsNamedNotMistakenForAPrompt() throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(platform: .argon, faults: [.appRunning]))
        defer { device.stop() }
        let client = try ListeningModeClient(path: device.portPath, timeout: 0.6)
        defer { client.close() }
        let error = #expect(throws: ListeningModeError.self) { _ = try client.closeAbandonedDialogue() }
        #expect(error?.kind == .notConsoleOutput)
    }
}
