import Foundation
import Glibc

/// libpq's password file (`~/.pgpass`, or `PGPASSFILE`): lines `host:port:database:user:password`, each field `*`
/// for any value, `\:` and `\\` escaping a colon and a backslash, `#` starting a comment; the first matching line wins.
/// As libpq does, a file readable or writable by group or others is ignored with a warning.
public enum PGPassFile {
    /// The password for this connection in `text`, the file's contents; nil when no line matches. A Unix-socket
    /// connection matches the host `localhost`, as in libpq.
    public static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wantedHost = host.hasPrefix("/") ? "localhost" : host
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("#") { continue }
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [wantedHost, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The fields of one line, unescaped; a fifth field keeps any further colons (escaped or not).
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// Which file libpq would read: `PGPASSFILE`, else `~/.pgpass` (`HOME`, else the password database).
    static func path(environment: [String: String]) -> String? {
        if let file = environment["PGPASSFILE"], !file.isEmpty { return file }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.pgpass" }
        guard let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory) + "/.pgpass"
    }

    /// Reads the file at `path` if it exists and only its owner may read it; otherwise nil (with a warning for a file
    /// with group or world access, or one that is not a regular file).
    static func contents(at path: String, warn: (String) -> Void) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard info.st_mode & S_IFMT == S_IFREG else {
            warn("password file \"\(path)\" is not a plain file; ignored")
            return nil
        }
        guard info.st_mode & 0o077 == 0 else {
            warn("password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less; "
                 + "ignored")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
