import ParticleCore

/// The fast path of the front: the plain forms of the read-only serial queries a factory script runs thousands of
/// times a day — `serial identify` (and its alias `identify`), `serial mac`, `serial version` with `--port`,
/// `--timeout`, `--verbose`, `--json` — recognised by hand, so that `particlectl` answers them without building
/// ArgumentParser's command tree (that costs more than the whole dialogue with the device).
///
/// Recognising is strict: anything this type is not sure ArgumentParser would read the same way (help, an unknown
/// or repeated option, a value that looks like an option, an out-of-range `--timeout`, `--all`, `--`) gives nil and
/// the full parser handles the command line, with its own messages. Running goes through the same functions as the
/// parsed commands, so the output (plain and `--json`) and the errors are the same bytes.
public struct SerialQuickCommand: Equatable, Sendable {
    public enum Query: Equatable, Sendable { case identify, mac, version }

    public var query: Query
    public var port: String?
    public var timeout: Seconds
    public var verbose: Bool
    public var json: Bool

    /// `timeout` nil: the default of `--timeout`.
    public init(query: Query, port: String? = nil, timeout: Seconds? = nil, verbose: Bool = false, json: Bool = false) {
        self.query = query
        self.port = port
        self.timeout = timeout ?? SerialConnectionOptions.defaultTimeout
        self.verbose = verbose
        self.json = json
    }

    /// Reads `arguments` (after the executable's name); nil for anything but the plain forms above.
    public init?(arguments: [String]) {
        var rest = arguments[...]
        guard let query = Self.query(consuming: &rest) else { return nil }
        self.init(query: query)
        var seenPort = false, seenTimeout = false
        while let argument = rest.popFirst() {
            // `--name=value` or `--name` (then a value, if any, is the next argument).
            let name: String, inline: String?
            if argument.hasPrefix("--"), let equals = argument.utf8.firstIndex(of: UInt8(ascii: "=")) {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
                inline = nil
            }
            // A repeated option is left to ArgumentParser, whose rules for it are its own.
            switch name {
            case "--json":
                guard inline == nil, !json else { return nil }
                json = true
            case "--verbose":
                guard inline == nil, !verbose else { return nil }
                verbose = true
            case "--port":
                // `.next` parsing: a value that looks like an option is not taken as one.
                guard !seenPort, let value = inline ?? rest.popFirst(), !value.isEmpty, !value.hasPrefix("-")
                else { return nil }
                seenPort = true
                port = value
            case "--timeout":
                // `.unconditional` parsing: the next argument is the value, whatever it looks like.
                guard !seenTimeout, let value = inline ?? rest.popFirst(), let seconds = try? Seconds(parsing: value)
                else { return nil }
                seenTimeout = true
                timeout = seconds
            default:
                return nil
            }
        }
    }

    private static func query(consuming rest: inout ArraySlice<String>) -> Query? {
        switch rest.first {
        case "identify":
            rest = rest.dropFirst()
            return .identify
        case "serial":
            let query: Query
            switch rest.dropFirst().first {
            case "identify": query = .identify
            case "mac": query = .mac
            case "version": query = .version
            default: return nil
            }
            rest = rest.dropFirst(2)
            return query
        default:
            return nil
        }
    }

    /// Runs the query exactly as the parsed command does (same functions, same output); throws what it throws.
    public func run() throws {
        switch query {
        case .identify: try SerialIdentify.identifyOne(port: port, timeout: timeout.value, verbose: verbose, json: json)
        case .mac: try SerialMAC.execute(port: port, timeout: timeout.value, verbose: verbose, json: json)
        case .version: try SerialVersion.execute(port: port, timeout: timeout.value, verbose: verbose, json: json)
        }
    }
}
