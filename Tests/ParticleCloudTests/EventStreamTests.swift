import Foundation
import ParticleCore
import ParticleSimulators
import Testing
@testable import ParticleCloud

/// The event stream over real SSE: publish, keep-alives, reconnect after a drop, a device coming online.
@Suite(.serialized) struct EventStreamTests {
    @Test func publishedEventArrivesOnTheSubscription() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let subscription = try await client.events.subscribe(EventFilter(prefix: "temp"))
            defer { subscription.cancel() }
            #expect(await fake.requests().last?.path == "/v1/devices/events/temp")
            try await client.events.publish(name: "weather", data: "rain")  // filtered out by the prefix
            try await client.events.publish(name: "temperature", data: "25.34", ttl: 30, isPrivate: true)
            let publish = try #require(await fake.lastRequest())
            #expect(publish.method == "POST" && publish.path == "/v1/devices/events")
            #expect(publish.body == "name=temperature&data=25.34&ttl=30&private=true")
            let event = try await subscription.first(timeout: 5) { _ in true }
            #expect(event.name == "temperature")
            #expect(event.data == "25.34")
            #expect(event.ttl == 30)
        }
    }

    @Test func keepAlivesKeepAnIdleStreamOpen() async throws {
        let fake = try await FakeCloudFixture.start(keepAlive: 0.1)
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            // Idle timeout 2 s, keep-alives every 0.1 s: after 3 s the first connection must still be the only one.
            let subscription = try await client.events.subscribe(EventFilter(), options: StreamOptions(idleTimeout: 2, reconnectDelay: 0.05))
            defer { subscription.cancel() }
            try await Task.sleep(nanoseconds: 3_000_000_000)
            #expect(await fake.requests().filter { $0.path == "/v1/devices/events" }.count == 1)
        }
    }

    @Test func silentStreamIsReconnected() async throws {
        let fake = try await FakeCloudFixture.start(keepAlive: 60)
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let subscription = try await client.events.subscribe(EventFilter(), options: StreamOptions(idleTimeout: 0.3, reconnectDelay: 0.05))
            defer { subscription.cancel() }
            #expect(await eventually { await fake.requests().filter { $0.path == "/v1/devices/events" }.count >= 2 })
        }
    }

    @Test func droppedStreamReconnectsAndDeliversLaterEvents() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let subscription = try await client.events.subscribe(EventFilter(prefix: "after"), options: StreamOptions(reconnectDelay: 0.05))
            defer { subscription.cancel() }
            #expect(await fake.cloud.openStreams == 1)
            await fake.cloud.dropStreams()
            #expect(await eventually { await fake.requests().filter { $0.path == "/v1/devices/events/after" }.count == 2 })
            #expect(await eventually { await fake.cloud.openStreams == 1 })
            try await client.events.publish(name: "after-drop", data: "x")
            let event = try await subscription.first(timeout: 5) { $0.name == "after-drop" }
            #expect(event.data == "x")
        }
    }

    @Test func badTokenFailsTheSubscribeCallItself() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        do {
            _ = try await fake.with(token: String(repeating: "0", count: 40)) { client in
                try await client.events.subscribe(EventFilter(prefix: "spark/status"))
            }
            Issue.record("subscribed with a bad token")
        } catch let error as CloudError {
            #expect(error.exitStatus == .authentication)
        }
    }

    @Test func claimCodeDeviceComesOnlineClaimedAndAnnounced() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let code = try await client.devices().claimCode()
            let subscription = try await client.events.subscribe(EventFilter(prefix: "spark/status"))
            defer { subscription.cancel() }
            #expect(await fake.lastRequest()?.path == "/v1/devices/events/spark%2Fstatus")
            // What the simulated device reports after joining Wi-Fi.
            _ = await fake.cloud.deviceCameOnline(id: "0e0e0e0e0e0e0e0e0e0e0e0e", platformID: 12, claimCode: code.claimCode)
            let online = try await subscription.waitForOnline(deviceID: "0E0E0E0E0E0E0E0E0E0E0E0E", timeout: 5)
            #expect(online.coreID == "0e0e0e0e0e0e0e0e0e0e0e0e")
            let device = try await client.devices().info(DeviceReference("0e0e0e0e0e0e0e0e0e0e0e0e"))
            #expect(device.isOnline && device.platformID == 12)
        }
        #expect(await fake.cloud.snapshot().claimCodes.isEmpty)
    }

    @Test func simulatedDeviceReportsOverHTTPWithItsClaimCode() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let code = try await client.devices().claimCode()
            let subscription = try await client.events.subscribe(EventFilter(prefix: "spark/status"))
            defer { subscription.cancel() }
            let status = try await FakeCloudLink(baseURL: fake.url).reportOnline(deviceID: "0F0F0F0F0F0F0F0F0F0F0F0F",
                                                                                 platformID: 6, claimCode: code.claimCode)
            #expect(status == 200)
            _ = try await subscription.waitForOnline(deviceID: "0f0f0f0f0f0f0f0f0f0f0f0f", timeout: 5)
            #expect(try await client.devices().info(DeviceReference("0f0f0f0f0f0f0f0f0f0f0f0f")).owner == "dev@example.com")
        }
    }

    @Test func waitForOnlineTimesOutWithExit4() async throws {
        let fake = try await FakeCloudFixture.start()
        defer { Task { await fake.stop() } }
        let token = try await fake.devToken()
        try await fake.with(token: token) { client in
            let subscription = try await client.events.subscribe(EventFilter(prefix: "spark/status"))
            defer { subscription.cancel() }
            do {
                _ = try await subscription.waitForOnline(deviceID: "0e0e0e0e0e0e0e0e0e0e0e0e", timeout: 0.3)
                Issue.record("no device came online")
            } catch let error as EventWaitTimeout {
                #expect(error.exitStatus == .timedOut)
                #expect(error.message == "device 0e0e0e0e0e0e0e0e0e0e0e0e did not come online within 0 s; check its Wi-Fi credentials and LED")
            }
        }
    }
}
