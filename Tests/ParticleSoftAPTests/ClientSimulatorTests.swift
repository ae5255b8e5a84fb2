import ParticleCore
import ParticleSimulators
import ParticleSoftAP
import Testing

/// The library client against the simulated Photon over real loopback sockets, on both transports.
@Suite("SoftAP client against the simulated device")
struct ClientSimulatorTests {
    static let password = "correct horse battery"
    static let claimCode = "Yq/0m+Hk9ZxT" + String(repeating: "a", count: 51)

    /// Starts a simulator on free loopback ports, runs `body` with a client for `transport`, stops it, returns the
    /// simulator's events.
    @discardableResult
    func withSimulator(
        _ transport: SoftAPAddress.Transport, faults: [SoftAPFault] = [],
        configure: (inout SoftAPSimulator.Configuration) -> Void = { _ in },
        options: (inout SoftAPClient.Options) -> Void = { _ in },
        _ body: (SoftAPClient, SoftAPSimulator) async throws -> Void
    ) async throws -> [SoftAPSimulator.Event] {
        var configuration = SoftAPSimulator.Configuration()
        configuration.tcp = ("127.0.0.1", 0)
        configuration.http = ("127.0.0.1", 0)
        configuration.faults = faults
        configuration.scanDuration = 0.05
        configuration.trickleDelay = 0.002
        configuration.reappearDelay = 0.2
        configure(&configuration)
        let simulator = try SoftAPSimulator(configuration: configuration)
        let (tcp, http) = try simulator.start()
        var clientOptions = SoftAPClient.Options(timeout: 3)
        clientOptions.retryPause = 0.1
        options(&clientOptions)
        let address = transport == .tcp ? tcp : http
        let client = SoftAPClient(address: try #require(address), options: clientOptions)
        do {
            try await body(client, simulator)
        } catch {
            simulator.stop()
            throw error
        }
        simulator.stop()
        var events: [SoftAPSimulator.Event] = []
        for await event in simulator.events { events.append(event) }
        return events
    }

    @Test("the whole setup sequence stores exactly what was sent", arguments: SoftAPAddress.Transport.allCases)
    func fullSetup(transport: SoftAPAddress.Transport) async throws {
        let events = try await withSimulator(transport, configure: { $0.deviceID = "320020001847333531323135" }) { (client: SoftAPClient, simulator: SoftAPSimulator) async throws in
            #expect(try await client.version() == 2)
            #expect(try await client.deviceInfo() == SoftAPDeviceInfo(id: try #require(DeviceID("320020001847333531323135")), claimed: false))
            let key = try await client.publicKey()
            #expect(key.keySizeInBits == 1024)
            try await client.setClaimCode(Self.claimCode)
            let networks = try await client.scan()
            #expect(networks.map(\.ssid) == ["HomeNet", "Café Libre", "Tenda_51E728", "CorpNet", "HomeNet"])
            let home = try #require(networks.first)
            try await client.configure(ssid: "HomeNet", security: home.security, channel: home.channel,
                                       credentials: .password(Self.password), publicKey: key)
            #expect(try await client.connect() == .acknowledged)

            let device = simulator.device
            #expect(device.claimCode == Self.claimCode)
            let stored = try #require(device.storedCredentials.last)
            #expect(stored.ssid == "HomeNet")
            #expect(stored.password == Self.password)
            #expect(stored.security.rawValue == 4_194_308)
            #expect(stored.channel == 6)
        }
        #expect(events.contains { if case .joined(ssid: "HomeNet", claimCode: Self.claimCode) = $0 { true } else { false } })
    }

    @Test("an open network with a non-ASCII SSID is stored without a password", arguments: SoftAPAddress.Transport.allCases)
    func openNetwork(transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport) { (client: SoftAPClient, simulator: SoftAPSimulator) async throws in
            let key = try await client.publicKey()
            try await client.configure(ssid: "Café Libre", security: .open, channel: 11, credentials: .none, publicKey: key)
            let stored = try #require(simulator.device.storedCredentials.last)
            #expect(stored.ssid == "Café Libre")
            #expect(stored.password == nil)
        }
    }

    @Test("PEAP and EAP-TLS credentials reach the device decrypted")
    func enterprise() async throws {
        try await withSimulator(.tcp) { (client: SoftAPClient, simulator: SoftAPSimulator) async throws in
            let key = try await client.publicKey()
            let corp = SoftAPSecurity(rawValue: 37_748_742)
            try await client.configure(ssid: "CorpNet", security: corp, channel: 36,
                                       credentials: .peap(identity: "alice", password: "s3cret!", outerIdentity: "anon"),
                                       publicKey: key)
            var stored = try #require(simulator.device.storedCredentials.last)
            #expect(stored.eapType == 25)
            #expect(stored.innerIdentity == "alice")
            #expect(stored.outerIdentity == "anon")
            #expect(stored.password == "s3cret!")
            let pem = "-----BEGIN PRIVATE KEY-----\nMIIBVQ/+\n-----END PRIVATE KEY-----\n"
            try await client.configure(ssid: "CorpNet", security: corp, channel: 36,
                                       credentials: .tls(certificatePEM: "CERT/1\n", privateKeyPEM: pem, caPEM: "CA\n",
                                                         outerIdentity: nil),
                                       publicKey: key)
            stored = try #require(simulator.device.storedCredentials.last)
            #expect(stored.eapType == 13)
            #expect(stored.certificate == "CERT/1\r\n")
            #expect(stored.caCertificate == "CA\r\n")
            #expect(stored.privateKey == pem)
        }
    }

    @Test("the first TCP connection is left open by the device (#1252) and the reply still completes")
    func firstConnectionLeftOpen() async throws {
        // A client that waited for EOF would time out here: the simulator never closes this connection.
        try await withSimulator(.tcp, options: { $0.attempts = 1 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.deviceID().rawValue.count == 24)
            #expect(try await client.version() == 2)
        }
    }

    @Test("old HTTP firmware without a terminating chunk still completes")
    func httpWithoutTerminator() async throws {
        try await withSimulator(.http, configure: { $0.httpChunkTerminator = false }, options: { $0.attempts = 1 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.version() == 2)
            #expect(try await client.scan().count == 5)
        }
    }

    @Test("a slow trickle of bytes is read to the end", arguments: SoftAPAddress.Transport.allCases)
    func trickle(transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport, faults: [SoftAPFault(kind: .trickle)], options: { $0.attempts = 1 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.deviceInfo().id.rawValue.count == 24)
        }
    }

    static let failures: [(SoftAPFault.Kind, SoftAPAddress.Transport)] = [
        (.stall, .tcp), (.stall, .http), (.garbage, .tcp), (.garbage, .http), (.drop, .tcp), (.drop, .http),
        (.empty, .tcp), (.empty, .http), (.refuse, .tcp), (.refuse, .http),
    ]

    @Test("every fault ends in its typed error, without hanging", arguments: failures)
    func faults(kind: SoftAPFault.Kind, transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport, faults: [SoftAPFault(kind: kind)], options: {
            $0.attempts = 1
            // Only the stall waits for the deadline; the others must fail on their own, long before it.
            $0.replyTimeout = kind == .stall ? 0.5 : 10
        }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            do {
                _ = try await client.deviceInfo()
                Issue.record("\(kind) did not fail")
            } catch let error as SoftAPError {
                switch (kind, error) {
                case (.stall, .replyTimedOut(.deviceID, _)),
                     (.garbage, .invalidReply(.deviceID, _)),
                     (.drop, .closedMidReply(.deviceID)),
                     (.empty, .emptyReply(.deviceID)),
                     (.refuse, .connectFailed):
                    break
                default:
                    Issue.record("\(kind) over \(transport) gave \(error)")
                }
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }

    @Test("a failure on the way is retried, and the retry succeeds")
    func retry() async throws {
        let events = try await withSimulator(.tcp, faults: [SoftAPFault(kind: .garbage, command: "device-id", count: 1),
                                                            SoftAPFault(kind: .drop, command: "device-id", count: 1)]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.deviceInfo().id.rawValue.count == 24)
        }
        #expect(events.filter { if case .request(_, "device-id", _) = $0 { true } else { false } }.count == 3)
    }

    @Test("retries are bounded")
    func boundedRetries() async throws {
        let events = try await withSimulator(.tcp, faults: [SoftAPFault(kind: .garbage)], options: { $0.attempts = 3 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            await #expect(throws: SoftAPError.self) { try await client.version() }
        }
        #expect(events.filter { if case .request(_, "version", _) = $0 { true } else { false } }.count == 3)
    }

    @Test("connect-ap is sent once, never retried, even when its reply is garbage")
    func connectNotRetried() async throws {
        let events = try await withSimulator(.tcp, faults: [SoftAPFault(kind: .garbage, command: "connect-ap")]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            await #expect(throws: SoftAPError.self) { try await client.connect() }
        }
        #expect(events.filter { if case .request(_, "connect-ap", _) = $0 { true } else { false } }.count == 1)
    }

    @Test("a lost connect-ap reply still counts as sent", arguments: SoftAPAddress.Transport.allCases)
    func lostConnectReply(transport: SoftAPAddress.Transport) async throws {
        try await withSimulator(transport, faults: [SoftAPFault(kind: .loseReply, command: "connect-ap")]) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            #expect(try await client.connect() == .sentWithoutReply)
        }
    }

    @Test("after connect-ap the AP is gone; with bad credentials it comes back")
    func apReappears() async throws {
        let events = try await withSimulator(.tcp, options: { $0.attempts = 10 }) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            let key = try await client.publicKey()
            try await client.configure(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 6,
                                       credentials: .password("wrong password"), publicKey: key)
            #expect(try await client.connect() == .acknowledged)
            // The AP is down for a while; the bounded retries reach it again once it reappears.
            #expect(try await client.version() == 2)
        }
        #expect(events.contains { if case .joinFailed(ssid: "HomeNet") = $0 { true } else { false } })
        #expect(events.contains { if case .accessPointUp = $0 { true } else { false } })
    }

    @Test("the device's refusals: bad set key, unknown JSON key, WPA network out of range, short password")
    func deviceRefusals() async throws {
        try await withSimulator(.tcp) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            let badKey = SoftAPRequest(command: .set, body: "{\"k\":\"xx\",\"v\":\"1\"}")
            #expect(try await client.send(badKey) == .object([("r", .number("-1"))]))
            let unknownKey = SoftAPRequest(command: .set, body: "{\"k\":\"cc\",\"v\":\"1\",\"z\":1}")
            await #expect(throws: SoftAPError.emptyReply(command: .set)) { try await client.send(unknownKey) }
            let wrongType = SoftAPRequest(command: .set, body: "{\"k\":\"cc\",\"v\":1}")
            await #expect(throws: SoftAPError.emptyReply(command: .set)) { try await client.send(wrongType) }
            let key = try await client.publicKey()
            await #expect(throws: SoftAPError.resultCode(command: .configureAP, code: -2)) {
                try await client.configure(ssid: "Elsewhere", security: SoftAPSecurity(rawValue: 4_194_308), channel: 0,
                                           credentials: .password(Self.password), publicKey: key)
            }
            let short = try key.encryptPassword("short")
            await #expect(throws: SoftAPError.resultCode(command: .configureAP, code: -4)) {
                try await client.configure(SoftAPWiFiConfiguration(
                    ssid: "HomeNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 6,
                    credentials: .password(encryptedHex: short)))
            }
            await #expect(throws: SoftAPError.resultCode(command: .configureAP, code: -16640)) {
                try await client.configure(SoftAPWiFiConfiguration(
                    ssid: "HomeNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 6,
                    credentials: .password(encryptedHex: String(repeating: "00", count: 128))))
            }
        }
    }

    @Test("an SSID with a quote makes the device's unescaped scan reply invalid: a typed error, no hang")
    func unescapedQuote() async throws {
        let quoted = SimulatedWiFiNetwork(ssid: "Bob's \"Net\"", security: .open, channel: 3)
        try await withSimulator(.tcp, configure: { $0.networks = [quoted] }, options: { $0.attempts = 1 }) {
            (client: SoftAPClient, _: SoftAPSimulator) async throws in
            do {
                _ = try await client.scan()
                Issue.record("invalid JSON accepted")
            } catch let error as SoftAPError {
                guard case .invalidReply(.scanAP, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
            }
        }
    }

    @Test("inputs the device cannot take are refused before sending")
    func inputRules() async throws {
        let events = try await withSimulator(.tcp) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            await #expect(throws: SoftAPError.self) { try await client.setClaimCode(String(repeating: "a", count: 64)) }
            await #expect(throws: SoftAPError.self) { try await client.setClaimCode("") }
            let key = try await client.publicKey()
            await #expect(throws: SoftAPError.self) {
                try await client.configure(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 6,
                                           credentials: .password("short"), publicKey: key)
            }
            await #expect(throws: SoftAPError.self) {
                try await client.configure(ssid: "Café Libre", security: .open, channel: 11,
                                           credentials: .password(Self.password), publicKey: key)
            }
        }
        #expect(!events.contains { if case .request(_, "set", _) = $0 { true } else { false } })
        #expect(!events.contains { if case .request(_, "configure-ap", _) = $0 { true } else { false } })
    }

    @Test("no error message ever contains the password")
    func passwordNeverInErrors() async throws {
        try await withSimulator(.tcp) { (client: SoftAPClient, _: SoftAPSimulator) async throws in
            let key = try await client.publicKey()
            do {
                try await client.configure(ssid: "HomeNet", security: SoftAPSecurity(rawValue: 4_194_308), channel: 6,
                                           credentials: .password("tiny"), publicKey: key)
                Issue.record("accepted")
            } catch let error as SoftAPError {
                #expect(!error.message.contains("tiny"))
            }
            #expect(!"\(SoftAPCredentials.password("hunter2hunter2"))".contains("hunter2"))
        }
    }
}
