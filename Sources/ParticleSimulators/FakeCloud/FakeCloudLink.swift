import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How a simulated device (serial or SoftAP simulator) tells a fake cloud running in another process that it
/// "joined Wi-Fi with claim code C": `POST /_sim/devices/ID/online`. The fake then marks it online, claims it for the
/// code's owner and publishes `spark/status` `online`. (In the same process, call `FakeCloud.deviceCameOnline`.)
public struct FakeCloudLink: Sendable {
    public let baseURL: String
    public let timeout: Double

    public init(baseURL: String, timeout: Double = 5) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reports the device online; returns the HTTP status (200 on success).
    @discardableResult
    public func reportOnline(deviceID: String, platformID: Int, claimCode: String?) async throws -> Int {
        var body: [String: Any] = ["platform_id": platformID]
        if let claimCode { body["claim_code"] = claimCode }
        return try await post("/_sim/devices/\(deviceID.lowercased())/online", body)
    }

    /// Reports the device offline (publishes `spark/status` `offline`).
    @discardableResult
    public func reportOffline(deviceID: String) async throws -> Int {
        try await post("/_sim/devices/\(deviceID.lowercased())/offline", [:])
    }

    private func post(_ path: String, _ body: [String: Any]) async throws -> Int {
        guard let url = URL(string: baseURL + path) else { throw Failure(description: "bad fake cloud URL \(baseURL)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        } catch {
            throw Failure(description: "cannot reach the fake cloud at \(baseURL): \(error.localizedDescription)")
        }
    }
}
