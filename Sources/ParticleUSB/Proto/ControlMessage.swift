import SwiftProtobuf

// The generated messages (`*.pb.swift` beside this file, from proto/particle/) as control-request payloads: encoding
// a request, and decoding a reply with failures reported as `USBError`s. Hand-written; `make proto` leaves it alone.

extension SwiftProtobuf.Message {
    /// Decodes a reply payload of request `requestType`. Fields this side does not know are skipped, as nanopb on
    /// the device skips them; an empty payload is the message with every field at its default. A truncated or
    /// malformed payload is a protocol violation naming the request.
    init(reply: [UInt8], of requestType: UInt16) throws(USBError) {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        do {
            self = try Self(serializedBytes: reply, options: options)
        } catch {
            throw USBError(.protocolViolation(ReplyDecodingFailure(error).description), requestType: requestType)
        }
    }

    /// The request payload: the fields that hold a non-default value, in field-number order (an empty message is
    /// 0 bytes, so the request goes without a payload).
    var payload: [UInt8] {
        do {
            return try serializedBytes()
        } catch {
            // Binary encoding fails only for proto2 required fields or `Any` transcoding; proto/particle has neither.
            preconditionFailure("\(Self.protoMessageName) cannot be encoded: \(error)")
        }
    }
}

/// What went wrong decoding a reply, as the few words a `USBError` message quotes.
struct ReplyDecodingFailure: CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        switch error as? BinaryDecodingError {
        case .truncated?: description = "a truncated reply message"
        case .invalidUTF8?: description = "a reply message with a text field that is not UTF-8"
        case .messageDepthLimit?: description = "a reply message nested too deeply"
        default: description = "a malformed reply message"
        }
    }
}
