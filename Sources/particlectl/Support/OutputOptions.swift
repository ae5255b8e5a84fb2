import ArgumentParser

/// `--json`, shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON (a stable shape, documented in the README).")
    var json = false
}
