import Foundation

/// A `multipart/form-data` body (RFC 7578): text fields and files, in order. Pure: builds bytes, sends nothing.
public struct MultipartForm: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        /// For file parts; may contain a relative path ("lib/sensor.cpp"), as the Cloud API allows.
        public var filename: String?
        public var contentType: String?
        public var data: Data

        public init(name: String, filename: String? = nil, contentType: String? = nil, data: Data) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var parts: [Part]
    public let boundary: String

    public init(parts: [Part] = [], boundary: String = "particlectl-" + UUID().uuidString) {
        self.parts = parts
        self.boundary = boundary
    }

    public mutating func addField(_ name: String, _ value: String) {
        parts.append(Part(name: name, data: Data(value.utf8)))
    }

    public mutating func addFile(_ name: String, filename: String, contentType: String = "application/octet-stream",
                                 data: Data) {
        parts.append(Part(name: name, filename: filename, contentType: contentType, data: data))
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The encoded body.
    public var encoded: Data {
        var body = Data()
        func line(_ text: String) { body.append(Data((text + "\r\n").utf8)) }
        for part in parts {
            line("--\(boundary)")
            var disposition = "Content-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let filename = part.filename { disposition += "; filename=\"\(Self.quoted(filename))\"" }
            line(disposition)
            if let contentType = part.contentType { line("Content-Type: \(contentType)") }
            line("")
            body.append(part.data)
            line("")
        }
        line("--\(boundary)--")
        return body
    }

    /// Quotes and line breaks cannot appear inside a quoted parameter: escape them as browsers do.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}
