import Foundation
@testable import ParticleSimulators
import Testing

/// The fake cloud's own protocol rules, called directly (no HTTP): what it accepts, and the exact bytes it streams.
@Suite struct FakeCloudTests {
    func cloud(_ faults: FakeCloudFaults = FakeCloudFaults()) throws -> FakeCloud {
        FakeCloud(data: try FakeCloudSeed.data(), faults: faults, keepAliveInterval: 60)
    }

    func body(_ reply: FakeReply) -> (Int, String) {
        switch reply {
        case .reply(let status, _, let bytes): (status, String(decoding: bytes, as: UTF8.self))
        case .events: (200, "<stream>")
        case .stalledBody(let status, _, _): (status, "<stalled>")
        }
    }

    func login(_ cloud: FakeCloud) async throws -> String {
        let reply = await cloud.handle(FakeRequest(
            method: "POST", path: "/oauth/token",
            headers: ["content-type": "application/x-www-form-urlencoded",
                      "authorization": "Basic " + Data("particle:particle".utf8).base64EncodedString()],
            body: Array("grant_type=password&username=dev%40example.com&password=dev-password".utf8)))
        let (status, text) = body(reply)
        try #require(status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return try #require(object["access_token"] as? String)
    }

    @Test func oauthTokenRequiresAFormPost() async throws {
        let (status, text) = body(try await cloud().handle(FakeRequest(
            method: "POST", path: "/oauth/token", headers: ["content-type": "application/json"],
            body: Array(#"{"grant_type":"password"}"#.utf8))))
        #expect(status == 400)
        #expect(text == #"{"error":"invalid_request","error_description":"Method must be POST with application/x-www-form-urlencoded encoding"}"#)
    }

    @Test func tokensOnlyInTheBearerHeader() async throws {
        let cloud = try cloud()
        let token = try await login(cloud)
        #expect(body(await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices"))).1
                == #"{"error":"invalid_request","error_description":"The access token was not found"}"#)
        #expect(body(await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices", headers: ["authorization": "Basic eDp5"]))).1
                == #"{"error":"invalid_request","error_description":"Malformed auth header"}"#)
        #expect(body(await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices", rawQuery: "access_token=\(token)",
                                                    headers: ["authorization": "Bearer \(token)"]))).0 == 400)
        #expect(body(await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices", headers: ["authorization": "Bearer \(token)"]))).0 == 200)
        #expect(body(await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices", headers: ["authorization": "Bearer nope"]))).1
                == #"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#)
    }

    @Test func oauthCallsAreLimitedPerWindow() async throws {
        var faults = FakeCloudFaults()
        faults.oauthLimit = 1
        let cloud = try cloud(faults)
        _ = try await login(cloud)
        let (status, text) = body(await cloud.handle(FakeRequest(
            method: "POST", path: "/oauth/token", headers: ["content-type": "application/x-www-form-urlencoded"],
            body: Array("grant_type=password&username=dev%40example.com&password=dev-password&client_id=particle&client_secret=particle".utf8))))
        #expect(status == 429)
        #expect(text.contains("rate_limit_exceeded"))
    }

    @Test func eventStreamBytesAreTheDocumentedWireFormat() async throws {
        let cloud = try cloud()
        let token = try await login(cloud)
        let reply = await cloud.handle(FakeRequest(method: "GET", path: "/v1/devices/events/spark%2Fstatus",
                                                   headers: ["authorization": "Bearer \(token)"]))
        guard case .events(let stream) = reply else {
            Issue.record("no event stream")
            return
        }
        var chunks = stream.chunks.makeAsyncIterator()
        #expect(await chunks.next() == ":ok\n\n")
        await cloud.publishFromSimulatedDevice()
        let event = try #require(await chunks.next())
        let pattern = #/event: spark/status\ndata: \{"coreid":"0123456789abcdef01234567","data":"online","published_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","ttl":"60"\}\n\n/#
        #expect(event.wholeMatch(of: pattern) != nil, "\(event)")
        await cloud.dropStreams()
        #expect(await chunks.next() == nil)
    }

    @Test func setColorFollowsTheFirmwaresSscanf() {
        #expect(FakeCloud.threeIntegers("255,0,0"))
        #expect(FakeCloud.threeIntegers(" 1, 2, 3 trailing"))
        #expect(FakeCloud.threeIntegers("255,0,0,9"))
        #expect(!FakeCloud.threeIntegers("255,0"))
        #expect(!FakeCloud.threeIntegers("red"))
    }
}

extension FakeCloud {
    /// gongbot (online) reporting in again publishes `spark/status` `online` to its owner.
    func publishFromSimulatedDevice() {
        _ = deviceCameOnline(id: "0123456789abcdef01234567", platformID: nil, claimCode: nil)
    }
}
