import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware
import ParticleProvisioning
import ParticleSerial
import ParticleSimulators
import Testing

/// `Provisioner` through the `DeviceLink` seam: a scripted device, the real fake cloud over HTTP.
@Suite("Provisioner (scripted device, fake cloud)")
struct ProvisionerTests {
    static let password = "correct horse battery"
    static let quickRetry = RetryPolicy(maximumRetries: 2, baseDelay: 0.01, maximumDelay: 0.05)

    /// Runs `body` with a fake cloud and a client logged in as dev@example.com.
    func withCloud<T: Sendable>(faults: FakeCloudFaults = FakeCloudFaults(), token: String? = nil,
                                _ body: (FakeCloud, CloudClient) async throws -> T) async throws -> T {
        let cloud = FakeCloud(data: try FakeCloudSeed.data(), faults: faults)
        let server = try await FakeCloudServer.start(cloud)
        do {
            let configuration = CloudConfiguration(baseURL: server.url, token: nil, retry: Self.quickRetry, requestTimeout: 10)
            let login = try await CloudClient.with(configuration) { client in
                try await client.tokens.login(username: "dev@example.com", password: "dev-password").accessToken
            }
            var authenticated = configuration
            authenticated.token = token ?? login
            let result = try await CloudClient.with(authenticated) { client in try await body(cloud, client) }
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    func plan(password: String? = Self.password, security: NetworkSecurity? = nil, name: String? = nil,
              product: String? = nil, onlineTimeout: Double = 10) -> ProvisioningPlan {
        ProvisioningPlan(wifi: WiFiSettings(ssid: "HomeNet", password: password, security: security),
                         product: product, name: name, onlineTimeout: onlineTimeout)
    }

    func provisioner(_ client: CloudClient, _ link: ScriptedLink, _ plan: ProvisioningPlan) -> Provisioner {
        var provisioner = Provisioner(cloud: client, link: link, plan: plan)
        provisioner.pollInterval = 0.2
        provisioner.maximumPollInterval = 0.5
        return provisioner
    }

    /// The failure of `body`, which must fail with a `ProvisioningError`.
    func failure(_ body: () async throws -> ProvisioningSummary) async throws -> ProvisioningError {
        do {
            let summary = try await body()
            Issue.record("expected a failure, got \(summary)")
            throw CancellationError()
        } catch let error as ProvisioningError {
            return error
        }
    }

    @Test func provisionsAndRecordsWhatTheConsoleTold() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let summary = try await provisioner(client, link, plan(name: "bench-7")).run { _ in }
            #expect(summary.deviceID == link.deviceID)
            #expect(summary.owner == "dev@example.com")
            #expect(summary.name == "bench-7")
            #expect(summary.mac == "6c:0b:84:5a:00:01")
            #expect(summary.deviceOS == "5.9.0")
            #expect(summary.serialNumber == "SIMARGON00001")
            #expect(summary.platform == "argon")
            // The device as the link identified it, kept whole; the `--json` keys are the documented ones.
            #expect(summary.device == link.device)
            let json = JSONOutput.line(summary)
            for member in [#""device_id":"e00fce68a1b2c3d4e5f60718""#, #""platform":"argon""#, #""device_os":"5.9.0""#,
                           #""mac":"6c:0b:84:5a:00:01""#, #""serial_number":"SIMARGON00001""#, #""iccid":null"#,
                           #""imei":null"#, #""owner":"dev@example.com""#, #""name":"bench-7""#] {
                #expect(json.contains(member), "\(member) in \(json)")
            }
            // Not flashed by this run: what the device was found running, not null.
            #expect(summary.firmware?.verified == false)
            #expect(summary.firmware?.functions == ["setColor"])
            #expect(summary.steps.map(\.step) == [.validate, .identify, .checkCloud, .claimCode, .configure, .connect,
                                                   .waitOnline, .verifyOwner, .rename])
            #expect(link.recorded == ["identify", "claim-code", "wifi", "connect"])
        }
    }

    @Test func aDeviceIdentifiedJustBeforeIsNotAskedAgain() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var provisioner = provisioner(client, link, plan(name: nil))
            provisioner.identified = link.device
            let summary = try await provisioner.run { _ in }
            #expect(summary.deviceID == link.deviceID)
            #expect(summary.serialNumber == "SIMARGON00001")
            #expect(summary.steps.first { $0.step == .identify }?.detail.contains("identified just before") == true)
            #expect(link.recorded == ["claim-code", "wifi", "connect"])
        }
    }

    @Test(arguments: [
        ("bad name!", nil, "correct horse battery", nil),
        (nil, "no-such-product", "correct horse battery", nil),
        (nil, nil, "short", NetworkSecurity(.wpa2)),
        (nil, nil, String(repeating: "x", count: 64), NetworkSecurity(.wpa2)),
        (nil, nil, "a password", NetworkSecurity(.open)),
    ] as [(String?, String?, String, NetworkSecurity?)])
    func aBadPlanFailsBeforeAnythingReachesTheDevice(name: String?, product: String?, password: String,
                                                      security: NetworkSecurity?) async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let error = try await failure {
                try await provisioner(client, link, plan(password: password, security: security, name: name,
                                                         product: product)).run { _ in }
            }
            #expect(error.step == .validate)
            #expect(error.underlying is ProvisioningPlanError)
            #expect(error.resume == .fixCause)
            #expect(link.recorded.isEmpty)
            #expect(!error.message.contains(password))
        }
    }

    @Test func aProductOwnerWithoutAProductFailsBeforeAnythingReachesTheDevice() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var productPlan = plan()
            productPlan.owner = .product
            let error = try await failure { try await provisioner(client, link, productPlan).run { _ in } }
            #expect(error.step == .validate)
            #expect(error.underlying as? ProvisioningPlanError == ProvisioningPlanError(.productOwnerWithoutProduct))
            #expect(error.exitStatus == .usage)
            #expect(link.recorded.isEmpty)
        }
    }

    @Test func aNameTakenByAnotherDeviceFailsBeforeTheClaimCode() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let error = try await failure { try await provisioner(client, link, plan(name: "gongbot")).run { _ in } }
            #expect(error.step == .checkCloud)
            #expect(error.underlying as? ProvisioningPlanError
                    == ProvisioningPlanError(.nameTaken(name: "gongbot", deviceID: "0123456789abcdef01234567")))
            #expect(error.exitStatus == .usage)
            // Only the read-only `i` reached the device.
            #expect(link.recorded == ["identify"])
        }
    }

    @Test func theWiFiPasswordIsAskedOnlyOnceTheDeviceIsFound() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var run = provisioner(client, link, plan(password: nil))
            let askedFor = ProgressLog()
            run.passwordPrompt = { device in
                askedFor.append(.note(device.id?.rawValue ?? "no id"))
                #expect(link.recorded == ["identify"])
                return Self.password
            }
            _ = try await run.run { _ in }
            #expect(askedFor.events.count == 1)
        }
    }

    @Test func aMissedOnlineEventIsNoticedByPollingWithinAboutAPollInterval() async throws {
        var faults = FakeCloudFaults()
        faults.lostEvents = 1
        try await withCloud(faults: faults) { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let summary = try await provisioner(client, link, plan(onlineTimeout: 60)).run { _ in }
            let waited = try #require(summary.steps.first { $0.step == .waitOnline })
            #expect(waited.detail == "online (polled device info)")
            #expect(waited.seconds < 3, "waited \(waited.seconds) s for a device online after 0.1 s")
        }
    }

    @Test func theOnlineEventWinsWhenItArrives() async throws {
        try await withCloud { cloud, client in
            var run = provisioner(client, ScriptedLink(cloud: cloud), plan())
            run.pollInterval = 30
            run.maximumPollInterval = 30
            let summary = try await run.run { _ in }
            #expect(summary.steps.first { $0.step == .waitOnline }?.detail == "online (spark/status event)")
        }
    }

    @Test func aFailedRunSaysWhatWasDoneAndARerunPutsTheDeviceBackIntoListeningMode() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let progress = ProgressLog()
            let error = try await failure {
                try await provisioner(client, link, plan(password: "not the password", onlineTimeout: 1.5))
                    .run(progress: progress.append)
            }
            #expect(error.step == .waitOnline)
            #expect(error.underlying as? OnlineTimeoutError == OnlineTimeoutError(deviceID: link.deviceID, seconds: 1.5))
            #expect(error.exitStatus == .timedOut)
            #expect(error.summary.deviceID == link.deviceID)
            #expect(error.summary.steps.map(\.step) == [.validate, .identify, .checkCloud, .claimCode, .configure, .connect])
            #expect(error.notStarted == [.verifyOwner])
            #expect(error.resume == .rerunReentersListeningMode)
            // Long waits report elapsed and remaining time.
            let waits = progress.events.compactMap { event -> Double? in
                if case .waiting(.waitOnline, _, let remaining) = event { return remaining }
                return nil
            }
            // The first tick has (about) the whole wait left, the last none — however late a loaded machine wakes.
            #expect(waits.count >= 2)
            #expect((waits.first ?? 0) > 1.0 && (waits.first ?? 0) <= 1.5)
            #expect(waits.last == 0)
            #expect(link.current == .application)

            let summary = try await provisioner(client, link, plan()).run { _ in }
            #expect(summary.owner == "dev@example.com")
            #expect(link.recorded.suffix(6) == ["identify", "listen", "identify", "claim-code", "wifi", "connect"])
        }
    }

    @Test func onDeviceOS6ARerunNeedsTheSetupButton() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud, osVersion: "6.2.0")
            let error = try await failure {
                try await provisioner(client, link, plan(password: "not the password", onlineTimeout: 0.5)).run { _ in }
            }
            #expect(error.resume == .holdSetupThenRerun)
            let again = try await failure { try await provisioner(client, link, plan()).run { _ in } }
            #expect(again.step == .identify)
            #expect((again.underlying as? ListeningModeError)?.kind == .stillNotListening)
        }
    }

    @Test("a link whose identity has no device ID fails at identify, before anything is written to the device")
    func anIdentityWithoutAnIDStopsAtIdentify() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud, tellsID: false)
            let error = try await failure { try await provisioner(client, link, plan()).run { _ in } }
            #expect(error.step == .identify)
            #expect(error.underlying as? UnidentifiedDevice == UnidentifiedDevice(link: link.name))
            #expect(error.message == "step 'identify' (identifying the device) failed: the device on scripted e00fce68a1b2c3d4e5f60718 did not tell its device ID: check that it is in listening mode (LED blinking dark blue)")
            #expect(error.exitStatus == .remoteError)
            #expect(error.summary.deviceID == nil)
            #expect(link.recorded == ["identify"])
        }
    }

    @Test func theUnderlyingErrorIsATypedValue() async throws {
        try await withCloud { cloud, client in
            let silent = ScriptedLink(cloud: cloud, osVersion: "6.0.0", state: .silent)
            let error = try await failure { try await provisioner(client, silent, plan()).run { _ in } }
            #expect(error.underlying is ListeningModeError)
            #expect(error.summary.deviceID == nil)
            #expect(error.exitStatus == .timedOut)
        }
        try await withCloud(token: "0000000000000000000000000000000000000000") { cloud, client in
            let error = try await failure { try await provisioner(client, ScriptedLink(cloud: cloud), plan()).run { _ in } }
            #expect((error.underlying as? CloudError)?.kind == .authentication)
            #expect(error.step == .checkCloud)
            #expect(error.resume == .fixCause)
        }
    }

    @Test func anInterruptedRunReportsWhereItStopped() async throws {
        try await withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            let run = provisioner(client, link, plan(password: "not the password", onlineTimeout: 60))
            let waiting = AsyncStream<Void>.makeStream()
            let task = Task {
                try await run.run { event in
                    if case .started(.waitOnline) = event { waiting.continuation.yield() }
                }
            }
            for await _ in waiting.stream { break }
            task.cancel()
            let error = try await failure { try await task.value }
            #expect(error.isInterrupted)
            #expect(error.step == .waitOnline)
            #expect(error.notStarted == [.verifyOwner])
            #expect(error.resume == .rerunReentersListeningMode)
        }
    }

    @Test func aClaimedDeviceIsFinishedFromTheCloudAlone() async throws {
        try await withCloud { _, client in
            var order = ProvisioningPlan(wifi: nil, name: "gong-2")
            order.onlineTimeout = 5
            let summary = try await Provisioner(cloud: client, device: try DeviceReference("gongbot"), plan: order).run { _ in }
            #expect(summary.deviceID == "0123456789abcdef01234567")
            #expect(summary.name == "gong-2")
            #expect(summary.steps.map(\.step) == [.validate, .checkCloud, .waitOnline, .verifyOwner, .rename])
            #expect(summary.steps.first { $0.step == .waitOnline }?.outcome == .skipped)

            let other = try await failure {
                try await Provisioner(cloud: client, device: try DeviceReference("otherbot"), plan: order).run { _ in }
            }
            #expect(other.underlying as? ProvisioningPlanError
                    == ProvisioningPlanError(.notOwned(deviceID: "otherbot", owner: "dev@example.com")))
        }
    }

    @Test func aFailedFlashIsFinishedFromTheCloudSide() async throws {
        var faults = FakeCloudFaults()
        faults.lostEvents = 1000
        try await withCloud(faults: faults) { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var order = plan()
            order.firmware = .bundled(try #require(BundledFirmware.named("functionVarPub")))
            order.flashTimeout = 0.5
            let error = try await failure { try await provisioner(client, link, order).run { _ in } }
            #expect(error.step == .flash)
            #expect(error.underlying as? FlashError == FlashError(.notBackOnline(seconds: 0.5)))
            #expect(error.resume == .finishFromCloud(deviceID: link.deviceID))
            #expect(error.notStarted.isEmpty)

            // The cloud side alone finishes it (the device is online; the flash events flow again).
            await cloud.setFaults(FakeCloudFaults())
            var finish = order
            finish.wifi = nil
            finish.flashTimeout = 10
            let summary = try await Provisioner(cloud: client, device: try DeviceReference(link.deviceID), plan: finish)
                .run { _ in }
            #expect(summary.firmware?.verified == true)
            #expect(link.recorded == ["identify", "claim-code", "wifi", "connect"])
        }
    }

    @Test(arguments: [
        ("wpa2", .wpa2, nil, 0x40_0006),
        ("wpa", .wpa, nil, 0x20_0006),
        ("wpa2_aes", .wpa2, .aes, 0x40_0004),
        ("WPA-TKIP", .wpa, .tkip, 0x20_0002),
        ("none", .unsecured, nil, 0),
        ("wep", .wep, nil, 1),
    ] as [(String, WiFiSecurity, WiFiCipher?, Int)])
    func oneSecurityValueMapsToSerialAndSoftAP(name: String, serial: WiFiSecurity, cipher: WiFiCipher?, softAP: Int) throws {
        let security = try #require(NetworkSecurity(parsing: name))
        #expect(security.serial.security == serial)
        #expect(security.serial.cipher == cipher)
        #expect(security.softAP?.rawValue == softAP)
    }

    @Test func securityNamesThatMeanNothingAreRefused() {
        #expect(NetworkSecurity(parsing: "wpa3_aes") == nil)
        #expect(NetworkSecurity(parsing: "wpa2-enterprise") == nil)
        #expect(NetworkSecurity(parsing: "") == nil)
        #expect(NetworkSecurity(parsing: "wpa3")?.softAP == nil)
    }

    @Test(arguments: [
        ("12345678", NetworkSecurity(.wpa2), true),
        ("1234567", NetworkSecurity(.wpa2), false),
        (String(repeating: "a", count: 63), NetworkSecurity(.wpa), true),
        (String(repeating: "a", count: 64), NetworkSecurity(.wpa), true),
        (String(repeating: "g", count: 64), NetworkSecurity(.wpa), false),
        ("", NetworkSecurity(.wpa2), false),
        ("", NetworkSecurity(.open), true),
        ("12345", NetworkSecurity(.wep), true),
        ("1234", nil, false),
        ("", nil, true),
        ("with spaces inside ", nil, true),
    ] as [(String, NetworkSecurity?, Bool)])
    func passwordLengthsFollowTheSecurity(password: String, security: NetworkSecurity?, accepted: Bool) {
        #expect((WiFiPasswordRule.problem(password, security: security) == nil) == accepted)
    }

    @Test(arguments: [("bench-1", true), ("bench_1", true), ("bad name!", false), ("", false),
                      (String(repeating: "n", count: 64), false), ("e00fce68a1b2c3d4e5f60718", false)])
    func deviceNamesFollowTheCloudsRules(name: String, accepted: Bool) {
        #expect((DeviceNameRule.problem(name) == nil) == accepted)
    }
}
