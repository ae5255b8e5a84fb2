import ArgumentParser
import Glibc
import ParticleCore

/// The process arguments as the kernel passed them. Swift's `CommandLine.arguments` repairs invalid UTF-8 (each bad
/// byte becomes U+FFFD), so a value that must reach a device unaltered — an SSID is bytes — is checked here first.
public enum RawArguments {
    /// Every value given to `option` (`--ssid VALUE` or `--ssid=VALUE`), as raw bytes, up to a `--` terminator.
    public static func values(of option: String, in arguments: [[UInt8]] = processArguments) -> [[UInt8]] {
        let name = Array(option.utf8)
        let prefix = name + [UInt8(ascii: "=")]
        var values: [[UInt8]] = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if argument == Array("--".utf8) { break }
            if argument == name, index + 1 < arguments.count {
                values.append(arguments[index + 1])
                index += 2
                continue
            }
            if argument.starts(with: prefix) { values.append(Array(argument.dropFirst(prefix.count))) }
            index += 1
        }
        return values
    }

    /// Throws a usage error (exit 2) when a value of `option` is not valid UTF-8 (it would be changed, not sent as given).
    public static func requireUTF8(_ option: String, in arguments: [[UInt8]] = processArguments) throws {
        for value in values(of: option, in: arguments) where String(validating: value, as: UTF8.self) == nil {
            throw ValidationError("\(option) is not valid UTF-8 (\(escaped(value))): it would be altered, not sent as given — pass the name as UTF-8 text")
        }
    }

    /// `arguments` as bytes: the process's own bytes when `arguments` are the (repaired) tail of `argv`, so that a
    /// command handed to a sibling executable keeps its exact bytes; otherwise their UTF-8.
    public static func unrepaired(_ arguments: [String], processArguments raw: [[UInt8]] = processArguments) -> [[UInt8]] {
        let tail = Array(raw.suffix(arguments.count))
        if tail.count == arguments.count, tail.map({ String(decoding: $0, as: UTF8.self) }) == arguments { return tail }
        return arguments.map { Array($0.utf8) }
    }

    /// The bytes of `argv`, unrepaired.
    public static var processArguments: [[UInt8]] {
        (0..<Int(CommandLine.argc)).map { index in
            guard let pointer = CommandLine.unsafeArgv[index] else { return [] }
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                                             count: strlen(pointer)))
        }
    }

    /// Printable ASCII as is, everything else as `\xNN`: safe to show.
    static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            if (0x20...0x7e).contains(byte) && byte != 0x5c {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return text
    }
}
