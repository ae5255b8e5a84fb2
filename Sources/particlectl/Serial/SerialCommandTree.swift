import ArgumentParser

/// The commands `particlectl` runs itself (USB discovery and the listening-mode serial console), in the order
/// `particlectl --help` lists them. Both `particlectl` and the whole-tree root in `particlectl-sim` (help, shell
/// completions, man page) take them from here.
public enum SerialCommandTree {
    public static let commands: [any ParsableCommand.Type] = [Serial.self, Identify.self]
}
