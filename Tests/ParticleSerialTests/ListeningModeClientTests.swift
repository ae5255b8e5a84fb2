import ParticleCore
import ParticleSerial
import ParticleSimulators
import Testing

/// The client against the simulated device on a real pty: the whole stack below the CLI.
@Suite("ListeningModeClient against the simulated device")
struct ListeningModeClientTests {
    static let claimCode = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ/"

    func withDevice<T>(_ configuration: SimulatedDeviceConfiguration = SimulatedDeviceConfiguration(),
                       timeout: Double = 2,
                       _ body: (ListeningModeClient, SimulatedDevice) throws -> T) throws -> T {
        let device = try SimulatedDevice(configuration)
        defer { device.stop() }
        let client = try ListeningModeClient(path: device.portPath, timeout: timeout)
        defer { client.close() }
        return try body(client, device)
    }

    @Test func readOnlyCommandsOnAPhoton() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .photon, deviceID: "E00FCE68A1B2C3D4E5F60718")) { client, _ in
            #expect(try client.identify() == IdentifyReply(deviceID: testID("e00fce68a1b2c3d4e5f60718")))
            #expect(try client.mac() == "6c:0b:84:12:34:56")
            #expect(try client.version() == "2.3.1")
            #expect(try client.isClaimed() == false)
            let info = try client.inspect()
            #expect(info.platformID == 6)
            #expect(info.modules.map(\.functionName) == ["bootloader", "system", "user"])
            #expect(info.modules[1].version == 20301)
        }
    }

    @Test func cellularIdentifyCarriesIMEIAndICCID() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .boron, serialNumber: "P046AB123456789")) { client, _ in
            let identity = try client.identify()
            #expect(identity.deviceID.rawValue == "0123456789abcdef01234567")
            #expect(identity.serialNumber == "P046AB123456789")
            #expect(identity.imei == "352753090000000")
            #expect(identity.iccid == "89014103000000000000")
        }
    }

    @Test func claimCodeIsStoredOnTheDevice() throws {
        try withDevice { client, device in
            try client.setClaimCode(Self.claimCode)
            #expect(device.claimCode == Self.claimCode)
        }
    }

    @Test func theClaimedFlagFollowsWhatTheCloudSays() throws {
        try withDevice { client, device in
            let before = try client.isClaimed()
            device.isClaimed = true
            let after = try client.isClaimed()
            #expect(!before && after)
        }
    }

    @Test func aClaimCodeOfTheWrongLengthIsRefusedBeforeSending() throws {
        try withDevice { client, device in
            let error = #expect(throws: UserError.self) { try client.setClaimCode("short") }
            #expect(error?.exitStatus == .usage)
            #expect(device.claimCode == nil)
        }
    }

    @Test func wifiOnANetworkTheDeviceCannotSee() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .argon)) { client, device in
            try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, cipher: .aesTkip, password: "correct horse"))
            #expect(device.wifiCredentials == WiFiCredentials(ssid: "Bench", security: .wpa2, cipher: .aesTkip, password: "correct horse"))
            #expect(!device.isListening)
        }
    }

    @Test func wifiOnAVisibleNetworkNeedsNoSecurity() throws {
        let visible = VisibleNetwork(ssid: "Bench", security: .wpa2, cipher: .aes)
        try withDevice(SimulatedDeviceConfiguration(platform: .p2, visibleNetworks: [visible])) { client, device in
            try client.configureWiFi(WiFiCredentials(ssid: "Bench", password: "correct horse"))
            #expect(device.wifiCredentials?.security == .wpa2)
            #expect(device.wifiCredentials?.password == "correct horse")
        }
    }

    @Test func wifiWithoutSecurityForAnUnseenNetworkIsMissing() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .photon)) { client, _ in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", password: "correct horse"))
            }
            #expect(error?.kind == .dialogue(.missing(.securityWithEnterprise)))
            #expect(error?.exitStatus == .usage)
            // The library says what is missing; the caller names its own option (`advice`).
            #expect(error?.message.contains("--") == false)
        }
    }

    @Test func wifiAsksTheCallerForWhatIsMissing() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .photon)) { client, device in
            var asked: [ListeningModePrompt] = []
            try client.configureWiFi(WiFiCredentials(ssid: "Bench")) { prompt in
                asked.append(prompt)
                return prompt == .password ? "correct horse" : "wpa2"
            }
            #expect(asked == [.securityWithEnterprise, .password])
            #expect(device.wifiCredentials?.password == "correct horse")
        }
    }

    @Test func wifiSaveFailure() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .photon, faults: [.saveFailure])) { client, _ in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            }
            #expect(error?.kind == .dialogue(.saveFailed("Derp. Sorry, we couldn't save the credentials.")))
            #expect(error?.exitStatus == .remoteError)
        }
    }

    @Test func wifiOnACellularDeviceIsUnsupported() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .electron), timeout: 0.5) { client, _ in
            let error = #expect(throws: ListeningModeError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            }
            #expect(error?.message.contains("no Wi-Fi setup console") == true)
        }
    }

    @Test func theTranscriptNeverShowsThePassword() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .argon)) { client, _ in
            var transcript = ""
            client.transcript = { transcript += $0.direction.rawValue + " " + $0.text + "\n" }
            try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            #expect(transcript.contains("SSID: "))
            #expect(transcript.contains("***"))
            #expect(!transcript.contains("correct horse"))
            #expect(!transcript.contains("correct"))
        }
    }

    @Test(arguments: [SimulatedFault.slow, .split, .strayLogs])
    func recoverableFaultsStillGiveTheAnswer(fault: SimulatedFault) throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .photon, faults: [fault]), timeout: 3) { client, device in
            #expect(try client.identify().deviceID.rawValue == "0123456789abcdef01234567")
            try client.setClaimCode(Self.claimCode)
            #expect(device.claimCode == Self.claimCode)
        }
    }

    @Test(arguments: [
        (SimulatedFault.silent, ListeningModeError.Kind.silent),
        (.garbage, .notConsoleOutput),
        (.appRunning, .notConsoleOutput),
    ])
    func faultsThatNeverAnswerTimeOut(fault: SimulatedFault, kind: ListeningModeError.Kind) throws {
        try withDevice(SimulatedDeviceConfiguration(faults: [fault]), timeout: 0.6) { client, _ in
            let error = #expect(throws: ListeningModeError.self) { _ = try client.identify() }
            #expect(error?.kind == kind)
            #expect(error?.exitStatus == .timedOut)
            #expect(error?.message.contains(client.path) == true)
        }
    }

    @Test func aHangUpMidReplyIsADisappearedPort() throws {
        try withDevice(SimulatedDeviceConfiguration(faults: [.hangUp])) { client, _ in
            let error = #expect(throws: SerialPortError.self) { _ = try client.identify() }
            #expect(error?.kind == .disappeared)
        }
    }

    @Test func aHangUpMidDialogueIsADisappearedPort() throws {
        try withDevice(SimulatedDeviceConfiguration(platform: .argon, faults: [.hangUp])) { client, _ in
            let error = #expect(throws: SerialPortError.self) {
                try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
            }
            #expect(error?.kind == .disappeared)
        }
    }

    @Test func theListenSignalWakesAnApplicationIntoListeningMode() throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(platform: .argon, faults: [.appRunning]))
        defer { device.stop() }
        #expect(!device.isListening)
        try ListeningModeClient.signal(.listen, path: device.portPath)
        let client = try ListeningModeClient(path: device.portPath, timeout: 2)
        #expect(try client.identify().deviceID.rawValue == "0123456789abcdef01234567")
        #expect(device.isListening)
    }

    @Test func deviceOS6IgnoresTheListenSignal() throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(platform: .argon, osVersion: "6.2.0", faults: [.appRunning]))
        defer { device.stop() }
        try ListeningModeClient.signal(.listen, path: device.portPath)
        let client = try ListeningModeClient(path: device.portPath, timeout: 0.5)
        #expect(throws: ListeningModeError.self) { _ = try client.identify() }
        #expect(!device.isListening)
    }

    @Test func theDFUSignalResetsTheDevice() throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(platform: .photon))
        defer { device.stop() }
        try ListeningModeClient.signal(.dfu, path: device.portPath)
        #expect(device.waitUntilStopped(seconds: 2))
        #expect(throws: SerialPortError.self) { _ = try SerialPort(path: device.portPath) }
    }

    @Test func eventsReportWhatTheDeviceWasTold() async throws {
        let device = try SimulatedDevice(SimulatedDeviceConfiguration(platform: .argon))
        let client = try ListeningModeClient(path: device.portPath, timeout: 2)
        try client.setClaimCode(Self.claimCode)
        try client.configureWiFi(WiFiCredentials(ssid: "Bench", security: .wpa2, password: "correct horse"))
        client.close()
        device.stop()
        var events: [SimulatedDeviceEvent] = []
        for await event in device.events { events.append(event) }
        #expect(events == [
            .claimCodeSet(Self.claimCode),
            .wifiCredentialsSaved(WiFiCredentials(ssid: "Bench", security: .wpa2, cipher: .aes, password: "correct horse")),
            .leftListeningMode,
        ])
    }
}
