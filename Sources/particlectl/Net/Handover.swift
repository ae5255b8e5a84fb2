import ParticleCLISupport

/// Which command lines `particlectl` hands over to a sibling executable, decided before parsing so that the sibling
/// parses them itself: its commands, their `--help`, `help <command>`, and the shell completions and man-page dump,
/// which need the whole command tree (only `particlectl-sim` links all of it).
enum Handover: Equatable {
    case sibling(String, [String])

    var executable: String { switch self { case .sibling(let name, _): name } }
    var arguments: [String] { switch self { case .sibling(_, let arguments): arguments } }

    static func target(for arguments: [String]) -> Handover? {
        guard let first = arguments.first else { return nil }
        let rest = Array(arguments.dropFirst())
        if NetCommands.names.contains(first) { return .sibling("particlectl-net", arguments) }
        if first == "sim" { return simulator(rest) }
        if first == "help", let topic = rest.first {
            if NetCommands.names.contains(topic) { return .sibling("particlectl-net", arguments) }
            if topic == "sim" {
                let simulatorTopic = Array(rest.dropFirst())
                return simulator(simulatorTopic.isEmpty ? [] : ["help"] + simulatorTopic)
            }
        }
        if first.hasPrefix("--generate-completion-script") || first == "--experimental-dump-help" {
            return .sibling("particlectl-sim", [SiblingExecutable.wholeTreeArgument] + arguments)
        }
        return nil
    }

    private static func simulator(_ arguments: [String]) -> Handover {
        .sibling("particlectl-sim", arguments.isEmpty ? ["--help"] : arguments)
    }
}
