import AsyncHTTPClient
import Foundation
import NIOCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ParticleCore
import ParticleDashboard
import ParticleStation
import Testing

/// The dashboard server over real HTTP on loopback.
@Suite("Dashboard server (HTTP on loopback)")
struct DashboardServerTests {
    static func get(_ url: String, bearer: String? = nil) async throws -> (Int, String, String?) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 60
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type"))
    }

    @Test func servesThePageTheStateAndABoardAfterEveryChange() async throws {
        let hub = DashboardHub(board: DashboardBoard(station: "bench-a", operatorName: "ana", lot: "L1"),
                               name: { _ in "widget-007" })
        let running = try await DashboardServer(hub: hub, address: DashboardAddress(host: "127.0.0.1", port: 0),
                                                token: nil).start()
        defer { Task { await running.stop() } }
        #expect(running.url == "http://127.0.0.1:\(running.port)/")

        let (status, page, type) = try await Self.get(running.url)
        #expect(status == 200 && type == "text/html; charset=utf-8")
        #expect(page.contains("new EventSource(\"/events\""))
        #expect(!page.contains("http://") && !page.contains("https://"))  // nothing fetched from elsewhere

        // The event stream: the board now, then the board after each change.
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: running.url + "events"),
                                                           timeout: .seconds(60))
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var lines = SSELines(response.body).makeAsyncIterator()
        let first = try await lines.next()
        #expect(first?.hasPrefix("data: {") == true)
        #expect(first?.contains(#""tiles":[]"#) == true)
        await hub.apply(StationEvent(slot: "1-1.3", port: "/dev/ttyACM0", deviceID: nil, step: "slot", outcome: .attached))
        let second = try await lines.next()
        #expect(second?.contains(#""slot":"1-1.3","state":"working","step":"identify""#) == true, "\(second ?? "")")
        await hub.apply(StationEvent(slot: "1-1.3", port: "/dev/ttyACM0", deviceID: "e00fce68a1b2c3d4e5f60718",
                                     step: "result", outcome: .provisioned, seconds: 2))
        let third = try await lines.next()
        #expect(third?.contains(#""name":"widget-007""#) == true, "\(third ?? "")")

        let (stateStatus, state, stateType) = try await Self.get(running.url + "state")
        #expect(stateStatus == 200 && stateType == "application/json")
        #expect(state.contains(#""counters":{"done":1,"#))
        #expect(try await Self.get(running.url + "nope").0 == 404)
    }

    @Test func aRemoteAddressNeedsATokenAndEveryRequestMustCarryIt() async throws {
        let hub = DashboardHub(board: DashboardBoard(station: "s", operatorName: nil, lot: nil))
        #expect(throws: UserError.self) {
            _ = try DashboardServer(hub: hub, address: DashboardAddress(host: "0.0.0.0", port: 0), token: nil)
        }
        let token = DashboardServer.newToken()
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit))
        #expect(token != DashboardServer.newToken())
        // Listening on loopback here, with the token rule a remote dashboard has.
        let running = try await DashboardServer(hub: hub, address: DashboardAddress(host: "127.0.0.1", port: 0),
                                                token: token).start()
        defer { Task { await running.stop() } }
        #expect(running.url == "http://127.0.0.1:\(running.port)/?token=\(token)")
        let base = "http://127.0.0.1:\(running.port)/"
        #expect(try await Self.get(base).0 == 401)
        #expect(try await Self.get(base + "state?token=wrong").0 == 401)
        #expect(try await Self.get(base + "state?token=\(token)").0 == 200)
        #expect(try await Self.get(base + "state", bearer: token).0 == 200)
        #expect(try await Self.get(running.url).0 == 200)
    }

    @Test func aPortInUseIsOneClearError() async throws {
        let hub = DashboardHub(board: DashboardBoard(station: "s", operatorName: nil, lot: nil))
        let first = try await DashboardServer(hub: hub, address: DashboardAddress(host: "127.0.0.1", port: 0), token: nil).start()
        defer { Task { await first.stop() } }
        do {
            _ = try await DashboardServer(hub: hub, address: DashboardAddress(host: "127.0.0.1", port: first.port),
                                          token: nil).start()
            Issue.record("a second server on the same port started")
        } catch let error as UserError {
            #expect(error.message.hasPrefix("the dashboard cannot listen on 127.0.0.1:\(first.port)"))
            #expect(error.exitStatus == .io)
        }
    }
}

/// The `data:` lines of a server-sent event stream.
struct SSELines: AsyncSequence {
    typealias Element = String
    let body: HTTPClientResponse.Body

    init(_ body: HTTPClientResponse.Body) { self.body = body }

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        var pending: [UInt8] = []

        mutating func next() async throws -> String? {
            while true {
                if let newline = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if line.hasPrefix("data: ") { return line }
                    continue
                }
                guard let chunk = try await chunks.next() else { return nil }
                pending += chunk.readableBytesView
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: body.makeAsyncIterator()) }
}
