import Foundation

/// An HTTP request as the fake cloud's logic sees it (decoupled from the HTTP server, so the logic is plain code).
public struct FakeRequest: Sendable {
    public var method: String
    /// The raw path (percent-encoded as sent), without the query.
    public var path: String
    public var rawQuery: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, rawQuery: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    /// Path segments, percent-decoded.
    var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    }

    var query: [String: String] { FakeForm.decode(rawQuery) }

    var contentType: String { headers["content-type"]?.lowercased() ?? "" }

    var isForm: Bool { contentType.hasPrefix("application/x-www-form-urlencoded") }
    var isJSON: Bool { contentType.hasPrefix("application/json") }

    /// Body fields from a form or JSON body (JSON values as text; arrays of strings in `lists`).
    var fields: (values: [String: String], lists: [String: [String]]) {
        if isJSON {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return ([:], [:]) }
            var values: [String: String] = [:]
            var lists: [String: [String]] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: values[key] = text
                case let number as NSNumber: values[key] = number.stringValue
                case let array as [Any]: lists[key] = array.compactMap { $0 as? String }
                default: break
                }
            }
            return (values, lists)
        }
        if isForm || contentType.isEmpty {
            return (FakeForm.decode(String(decoding: body, as: UTF8.self)), [:])
        }
        return ([:], [:])
    }
}

/// The fake cloud's answer: a complete reply, an event stream, or a reply whose body stalls.
public enum FakeReply: Sendable {
    case reply(status: Int, headers: [String: String], body: [UInt8])
    case events(FakeEventStream)
    /// The head and the first bytes of the body, then nothing until the client gives up (the `stall_bodies` fault).
    case stalledBody(status: Int, headers: [String: String], prefix: [UInt8])

    static func json(_ status: Int, _ object: Any, headers: [String: String] = [:]) -> FakeReply {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var all = headers
        all["Content-Type"] = "application/json; charset=utf-8"
        return .reply(status: status, headers: all, body: Array(data))
    }

    static func text(_ status: Int, _ text: String, headers: [String: String] = [:]) -> FakeReply {
        var all = headers
        all["Content-Type"] = "text/plain; charset=utf-8"
        return .reply(status: status, headers: all, body: Array(text.utf8))
    }

    var status: Int {
        switch self {
        case .reply(let status, _, _), .stalledBody(let status, _, _): status
        case .events: 200
        }
    }
}

/// The documented error bodies.
enum FakeErrors {
    static let oauthHeaders = ["Cache-Control": "no-store", "Pragma": "no-cache"]

    static func oauth(_ status: Int, _ error: String, _ description: String, extra: [String: Any] = [:]) -> FakeReply {
        var body: [String: Any] = ["error": error, "error_description": description]
        for (key, value) in extra { body[key] = value }
        return .json(status, body, headers: oauthHeaders)
    }

    static let tokenNotFound = oauth(400, "invalid_request", "The access token was not found")
    static let malformedHeader = oauth(400, "invalid_request", "Malformed auth header")
    static let invalidToken = oauth(401, "invalid_token", "The access token provided is invalid.")
    static let expiredToken = oauth(401, "invalid_token", "The access token provided has expired.")
    static let outsideScope = FakeReply.json(400, ["error": "unauthorized",
                                                    "error_description": "API users are not allowed to call this endpoint"])
    static let permissionDenied = FakeReply.json(403, [
        "error": "Permission Denied",
        "info": "I didn't recognize that device name or ID, try opening https://api.particle.io/v1/devices?access_token=…",
    ])
    static let forbidden = FakeReply.json(403, ["ok": false, "error": "Permission Denied"])
    static let timedOut = FakeReply.json(408, ["ok": false, "error": "timed out"])
    static func notFound(_ message: String) -> FakeReply { .json(404, ["ok": false, "error": message]) }
    static func badRequest(_ message: String) -> FakeReply { .json(400, ["ok": false, "error": message]) }
}

/// Form encoding helpers for the fake.
enum FakeForm {
    static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func clean(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            result[clean(parts[0])] = parts.count > 1 ? clean(parts[1]) : ""
        }
        return result
    }
}

/// One request as the fake saw it, for tests and `GET /_sim/requests`.
public struct RecordedRequest: Codable, Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: String
    public var contentType: String?
    public var authorization: String?
    public var body: String
    public var status: Int

    enum CodingKeys: String, CodingKey {
        case method, path, query, authorization, body, status
        case contentType = "content_type"
    }
}

/// Fault injection, settable at start (flags) and at run time (`POST /_sim/faults`).
public struct FakeCloudFaults: Codable, Sendable, Equatable {
    /// Delay before every API reply, in milliseconds.
    public var latencyMilliseconds: Int = 0
    /// The next N API requests answer `serverErrorStatus` (a 5xx burst).
    public var serverErrors: Int = 0
    public var serverErrorStatus: Int = 503
    /// When set, the 5xx burst hits only requests whose path starts with it (e.g. `/v1/device_claims`: claim codes).
    public var serverErrorPath: String?
    /// The next N API requests answer 429 with a plain-text body (a rate-limit burst).
    public var rateLimits: Int = 0
    /// `Retry-After` seconds sent with 429 replies; nil = no header.
    public var retryAfter: Int?
    /// After a 429 of the burst, every API request for this many milliseconds answers 429 too (the limit holds for a
    /// window, as the real cloud's does): requests a client sends while it should be waiting are seen as 429s.
    public var rateLimitWindowMilliseconds: Int = 0
    /// `POST /oauth/token` calls allowed per 5 minutes before 429 (the real cloud: 100).
    public var oauthLimit: Int = 100
    /// The next N event-stream requests (`GET …/events…`) answer 503: a cloud whose stream is down.
    public var streamErrors: Int = 0
    /// The next N API replies send their head and the start of the body, then stall (a hung proxy or server).
    public var stallBodies: Int = 0
    /// The next N API replies carry a body bigger than any client reads (`oversizedReplyBytes`).
    public var oversizedReplies: Int = 0

    /// The next N API replies keep their status but carry an HTML page instead of the API's JSON (a proxy's page,
    /// a wrong API URL).
    public var malformedReplies: Int = 0

    /// The size of an oversized reply: 17 MiB, over particlectl's 16 MiB limit.
    public static let oversizedReplyBytes = 17 << 20
    /// The next N published events reach no subscriber (lost, as with a stream that dropped and reconnected).
    public var lostEvents: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case latencyMilliseconds = "latency_ms"
        case serverErrors = "server_errors"
        case serverErrorStatus = "server_error_status"
        case serverErrorPath = "server_error_path"
        case rateLimits = "rate_limits"
        case retryAfter = "retry_after"
        case rateLimitWindowMilliseconds = "rate_limit_window_ms"
        case oauthLimit = "oauth_limit"
        case streamErrors = "stream_errors"
        case stallBodies = "stall_bodies"
        case oversizedReplies = "oversized_replies"
        case malformedReplies = "malformed_replies"
        case lostEvents = "lost_events"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latencyMilliseconds = try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? 0
        serverErrors = try container.decodeIfPresent(Int.self, forKey: .serverErrors) ?? 0
        serverErrorStatus = try container.decodeIfPresent(Int.self, forKey: .serverErrorStatus) ?? 503
        serverErrorPath = try container.decodeIfPresent(String.self, forKey: .serverErrorPath)
        rateLimits = try container.decodeIfPresent(Int.self, forKey: .rateLimits) ?? 0
        retryAfter = try container.decodeIfPresent(Int.self, forKey: .retryAfter)
        rateLimitWindowMilliseconds = try container.decodeIfPresent(Int.self, forKey: .rateLimitWindowMilliseconds) ?? 0
        oauthLimit = try container.decodeIfPresent(Int.self, forKey: .oauthLimit) ?? 100
        streamErrors = try container.decodeIfPresent(Int.self, forKey: .streamErrors) ?? 0
        stallBodies = try container.decodeIfPresent(Int.self, forKey: .stallBodies) ?? 0
        oversizedReplies = try container.decodeIfPresent(Int.self, forKey: .oversizedReplies) ?? 0
        malformedReplies = try container.decodeIfPresent(Int.self, forKey: .malformedReplies) ?? 0
        lostEvents = try container.decodeIfPresent(Int.self, forKey: .lostEvents) ?? 0
    }
}
