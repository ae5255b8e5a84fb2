import ArgumentParser
import ParticleCore

/// `--json`, shared by every command.
public struct OutputOptions: ParsableArguments {
    public init() {}

    @Flag(name: .long, help: "Print machine-readable JSON (a stable shape, documented in the README).")
    public var json = false
}

/// A command whose `--json` output a script reads. When it fails with `--json`, `CommandLineRunner` prints one JSON
/// object on stdout — the keys the command already knows (`jsonFieldsOnFailure`) plus `"error"` (the line stderr
/// also gets) and `"exit_code"` — so a script always has an object to read.
public protocol JSONFailureReporting {
    /// Whether this run asked for JSON (`--json`).
    var isJSONRequested: Bool { get }
    /// Keys of the command's usual object that are known before it fails (a device ID given as an argument …).
    var jsonFieldsOnFailure: [String: JSONValue] { get }
}

extension JSONFailureReporting {
    public var jsonFieldsOnFailure: [String: JSONValue] { [:] }
}

/// A `JSONFailureReporting` command with the usual `@OptionGroup var output: OutputOptions`: conforming is one line.
public protocol JSONOutputCommand: JSONFailureReporting {
    var output: OutputOptions { get }
}

extension JSONOutputCommand {
    public var isJSONRequested: Bool { output.json }
}

/// The object a `--json` command prints on stdout when it fails: its known keys, `"error"` and `"exit_code"`.
public struct JSONFailure: Encodable, Sendable, Equatable {
    public var fields: [String: JSONValue]
    public var error: String
    public var exitCode: Int32

    public init(fields: [String: JSONValue] = [:], error: String, exitCode: Int32) {
        self.fields = fields
        self.error = error
        self.exitCode = exitCode
    }

    public func encode(to encoder: any Encoder) throws {
        var all = fields
        all["error"] = .string(error)
        all["exit_code"] = .int(Int(exitCode))
        try all.encode(to: encoder)
    }
}
