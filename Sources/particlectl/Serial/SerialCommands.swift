import ArgumentParser

/// The listening-mode serial commands (identify, mac, wifi …), registered under `particlectl serial`.
enum SerialCommands {
    static let all: [any ParsableCommand.Type] = []
}
