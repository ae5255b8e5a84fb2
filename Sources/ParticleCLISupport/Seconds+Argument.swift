import ArgumentParser
import ParticleCore

/// Every duration option of the three executables is a `Seconds`:
///
/// ```swift
/// @Option(parsing: .unconditional, help: "…", transform: Seconds.argument)
/// var timeout: Seconds = 5
/// ```
///
/// `.unconditional` lets `--timeout -1` reach the check (otherwise ArgumentParser takes `-1` for an option and says
/// "Missing value"); the transform's error explains the rule on the one usage line (exit 2).
extension Seconds: ExpressibleByArgument {
    public init?(argument: String) {
        guard let seconds = try? Seconds(parsing: argument) else { return nil }
        self = seconds
    }

    public var defaultValueDescription: String { description }

    /// Parses an option value; the thrown error's text follows "The value '…' is invalid for '--timeout <seconds>': ".
    public static func argument(_ text: String) throws -> Seconds {
        try Seconds(parsing: text)
    }
}
