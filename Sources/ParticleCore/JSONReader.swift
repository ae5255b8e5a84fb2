// MARK: - Reading

extension JSONValue {
    /// The outcome of reading a (possibly partial) JSON object.
    public enum ParseResult: Sendable, Equatable {
        /// A complete top-level object, and how many bytes it and the whitespace before it used.
        case complete(JSONValue, consumed: Int)
        /// What arrived so far is a valid beginning; more bytes are needed.
        case incomplete
        /// The bytes cannot become a JSON object.
        case invalid(String)
    }

    /// How deeply arrays and objects may nest in what `parse` reads, so that hostile input cannot exhaust the stack.
    public static let maximumDepth = 32

    /// Reads one JSON object from bytes that may still be arriving ("complete when it parses"): a SoftAP reply, a cloud
    /// error body.
    ///
    /// Leading whitespace is skipped (the SoftAP TCP reply starts with `\n\n`). Strings may hold raw bytes the sender did
    /// not escape; they are decoded as UTF-8 with invalid sequences repaired (the device cuts SSIDs at 32 bytes, possibly
    /// inside a character). Nesting is limited to `maximumDepth`.
    /// - Parameter rawStrings: keep string values exactly as written, escapes included (how the device's jsmn
    ///   parser hands them to the firmware); the default decodes escapes.
    public static func parse(_ bytes: [UInt8], rawStrings: Bool = false) -> ParseResult {
        var reader = Cursor(bytes: bytes, rawStrings: rawStrings)
        reader.skipWhitespace()
        guard let first = reader.peek() else { return .incomplete }
        guard first == UInt8(ascii: "{") else {
            return .invalid("expected a JSON object, found byte 0x\(String(first, radix: 16))")
        }
        do {
            let value = try reader.value(depth: 0)
            return .complete(value, consumed: reader.index)
        } catch Cursor.Failure.needMore {
            return .incomplete
        } catch let Cursor.Failure.invalid(reason) {
            return .invalid(reason)
        } catch {
            return .invalid("unreadable JSON")
        }
    }

    private struct Cursor {
        enum Failure: Error { case needMore, invalid(String) }

        let bytes: [UInt8]
        let rawStrings: Bool
        var index = 0

        init(bytes: [UInt8], rawStrings: Bool) {
            self.bytes = bytes
            self.rawStrings = rawStrings
        }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func next() throws -> UInt8 {
            guard index < bytes.count else { throw Failure.needMore }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for expected in literal.utf8 {
                let byte = try next()
                guard byte == expected else { throw Failure.invalid("bad literal, expected \(literal)") }
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < JSONValue.maximumDepth else { throw Failure.invalid("nesting too deep") }
            skipWhitespace()
            guard let byte = peek() else { throw Failure.needMore }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw Failure.invalid("unexpected byte 0x\(String(byte, radix: 16))")
            }
        }

        mutating func object(depth: Int) throws -> JSONValue {
            index += 1  // {
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard let byte = peek() else { throw Failure.needMore }
                guard byte == UInt8(ascii: "\"") else { throw Failure.invalid("expected a key") }
                let key = try string()
                skipWhitespace()
                guard try next() == UInt8(ascii: ":") else { throw Failure.invalid("expected ':'") }
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                switch try next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "}"): return .object(members)
                default: throw Failure.invalid("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws -> JSONValue {
            index += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                switch try next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return .array(items)
                default: throw Failure.invalid("expected ',' or ']'")
                }
            }
        }

        mutating func string() throws -> String {
            index += 1  // "
            var raw: [UInt8] = []
            while true {
                let byte = try next()
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: raw, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    let escaped = try next()
                    if rawStrings {
                        raw += [byte, escaped]
                        continue
                    }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(escaped)
                    case UInt8(ascii: "b"): raw.append(0x08)
                    case UInt8(ascii: "f"): raw.append(0x0C)
                    case UInt8(ascii: "n"): raw.append(0x0A)
                    case UInt8(ascii: "r"): raw.append(0x0D)
                    case UInt8(ascii: "t"): raw.append(0x09)
                    case UInt8(ascii: "u"):
                        var code: UInt32 = 0
                        for _ in 0..<4 {
                            guard let digit = ASCIIHex.value(try next()) else { throw Failure.invalid("bad \\u escape") }
                            code = code << 4 | UInt32(digit)
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        raw.append(contentsOf: Array(String(scalar).utf8))
                    default: throw Failure.invalid("bad escape")
                    }
                default:
                    raw.append(byte)
                }
            }
        }

        mutating func number() throws -> String {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while let byte = peek(), isNumberByte(byte) {
                index += 1
                digits += 1
            }
            // A number at the very end may still be growing.
            guard index < bytes.count else { throw Failure.needMore }
            guard digits > 0 else { throw Failure.invalid("bad number") }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard Double(text) != nil else { throw Failure.invalid("bad number \(text)") }
            return text
        }

        func isNumberByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-")
        }
    }
}
