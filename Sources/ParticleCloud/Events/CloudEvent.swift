import Foundation

/// A Particle event as the event stream delivers it: the SSE `event:` name plus the JSON of its `data:` line.
public struct CloudEvent: Codable, Equatable, Sendable {
    /// The event name (`spark/status`, `temperature` …).
    public var name: String
    /// The event's data (`online`, `25.34` …); empty when the publisher sent none.
    public var data: String
    /// The time to live in seconds, as a number (the stream sends it as a string or a number).
    public var ttl: Int?
    /// When the cloud received it (ISO 8601).
    public var publishedAt: String?
    /// The publishing device (24 hex), absent for events published through the API by a user.
    public var coreID: String?

    public init(name: String, data: String, ttl: Int? = nil, publishedAt: String? = nil, coreID: String? = nil) {
        self.name = name
        self.data = data
        self.ttl = ttl
        self.publishedAt = publishedAt
        self.coreID = coreID
    }

    enum CodingKeys: String, CodingKey {
        case name, data, ttl
        case publishedAt = "published_at"
        case coreID = "coreid"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        data = try container.decodeIfPresent(String.self, forKey: .data) ?? ""
        if let number = try? container.decodeIfPresent(Int.self, forKey: .ttl) {
            ttl = number
        } else {
            ttl = (try? container.decodeIfPresent(String.self, forKey: .ttl)).flatMap { Int($0) }
        }
        publishedAt = try container.decodeIfPresent(String.self, forKey: .publishedAt)
        coreID = try container.decodeIfPresent(String.self, forKey: .coreID)
    }

    /// Builds the event from a dispatched SSE event (the `event:` name wins over a `name` key in the data).
    /// Returns nil when the data line is not the documented JSON object.
    public init?(_ event: ServerSentEvent) {
        guard let decoded = try? JSONDecoder().decode(CloudEvent.self, from: Data(event.data.utf8)) else { return nil }
        self = decoded
        if event.name != "message" || name.isEmpty { name = event.name }
    }
}
