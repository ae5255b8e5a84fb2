import Yams

/// Where a value of the profile came from: the file (by the name it was given as) or a flag.
enum ProfileOrigin: Sendable, Equatable {
    case file(String)
    case flag(String)
}

/// The profile as read, before it is typed: YAML's nodes reduced to what the profile uses, each with its origin,
/// so that every message can name the file and key, or the flag. Pure.
indirect enum ProfileTree: Sendable {
    /// A scalar's text; `quoted` when written in quotes (then it is text, never a number or a boolean).
    case scalar(text: String, quoted: Bool, origin: ProfileOrigin)
    case mapping([(key: String, value: ProfileTree)], origin: ProfileOrigin)
    case sequence([ProfileTree], origin: ProfileOrigin)
    /// `~`, `null` or nothing at all after the colon.
    case null(origin: ProfileOrigin)

    var origin: ProfileOrigin {
        switch self {
        case .scalar(_, _, let origin), .mapping(_, let origin), .sequence(_, let origin), .null(let origin): origin
        }
    }

    /// The YAML text of a profile as a tree; an empty document is an empty mapping.
    static func parse(yaml: String, source: String) throws(ProfileError) -> ProfileTree {
        let origin = ProfileOrigin.file(source)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ProfileError("\(source): not valid YAML: \(Self.describe(error))")
        } catch {
            throw ProfileError("\(source): not valid YAML")
        }
        guard let root else { return .mapping([], origin: origin) }
        let tree = try convert(root, path: "", source: source)
        if case .null = tree { return .mapping([], origin: origin) }
        return tree
    }

    private static func convert(_ node: Node, path: String, source: String) throws(ProfileError) -> ProfileTree {
        let origin = ProfileOrigin.file(source)
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style != .plain && scalar.style != .any
            if !quoted && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(origin: origin) }
            return .scalar(text: scalar.string, quoted: quoted, origin: origin)
        case .mapping(let mapping):
            var members: [(key: String, value: ProfileTree)] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ProfileError("\(source): \(path.isEmpty ? "a key" : "a key in '\(path)'") is not a plain name")
                }
                let keyPath = path.isEmpty ? keyScalar.string : "\(path).\(keyScalar.string)"
                members.append((keyScalar.string, try convert(value, path: keyPath, source: source)))
            }
            return .mapping(members, origin: origin)
        case .sequence(let sequence):
            var items: [ProfileTree] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index + 1)]", source: source))
            }
            return .sequence(items, origin: origin)
        case .alias:
            throw ProfileError("\(source): '\(path)' is a YAML alias; write the value out")
        }
    }

    /// One line for Yams's error (its own description quotes the whole document over several lines).
    static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return "the key \(keys) appears twice in one map (line \(context.mark.line))"
        case let .reader(problem, _, _, _):
            return problem
        default:
            return "cannot read it"
        }
    }
}

// MARK: - Overrides

extension ProfileTree {
    /// This tree with `override` set at its key path (creating the maps on the way). A value on the way that is not
    /// a map is left alone: the decoder then reports the file's mistake.
    func setting(_ override: ProfileOverride, appendingToList: Bool, listKey: Bool, dropping sibling: String?) -> ProfileTree {
        let path = override.keyPath.split(separator: ".").map(String.init)
        let origin = ProfileOrigin.flag(override.flag)
        let leaf = ProfileTree.scalar(text: override.value, quoted: false, origin: origin)
        return setting(path[...], leaf: leaf, appending: appendingToList, list: listKey, dropping: sibling, origin: origin)
    }

    private func setting(_ path: ArraySlice<String>, leaf: ProfileTree, appending: Bool, list: Bool, dropping: String?,
                         origin: ProfileOrigin) -> ProfileTree {
        guard let key = path.first else { return self }
        guard case .mapping(var members, let mapOrigin) = self else { return self }
        let rest = path.dropFirst()
        let index = members.firstIndex { $0.key == key }
        let newValue: ProfileTree
        if rest.isEmpty {
            if list {
                if appending, let index, case .sequence(let items, let listOrigin) = members[index].value {
                    newValue = .sequence(items + [leaf], origin: listOrigin)
                } else {
                    newValue = .sequence([leaf], origin: origin)
                }
            } else {
                newValue = leaf
            }
            if let dropping { members.removeAll { $0.key == dropping } }
        } else {
            var child = index.map { members[$0].value } ?? .mapping([], origin: origin)
            if case .null = child { child = .mapping([], origin: origin) }
            newValue = child.setting(rest, leaf: leaf, appending: appending, list: list, dropping: dropping, origin: origin)
        }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = newValue
        } else {
            members.append((key, newValue))
        }
        return .mapping(members, origin: mapOrigin)
    }
}
