import ArgumentParser

/// `--json`, shared by every command.
public struct OutputOptions: ParsableArguments {
    public init() {}

    @Flag(name: .long, help: "Print machine-readable JSON (a stable shape, documented in the README).")
    public var json = false
}
