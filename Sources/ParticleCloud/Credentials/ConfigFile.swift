import Foundation
import Glibc
import ParticleCore

/// particlectl's own settings: the logged-in token and user. Stored as JSON at
/// `$XDG_CONFIG_HOME/particlectl/config.json` (default `~/.config/particlectl/config.json`), mode 0600.
public struct StoredCredentials: Codable, Equatable, Sendable {
    public var accessToken: String?
    public var username: String?
    /// ISO 8601; nil = never expires.
    public var accessTokenExpiresAt: String?

    public init(accessToken: String?, username: String?, accessTokenExpiresAt: String?) {
        self.accessToken = accessToken
        self.username = username
        self.accessTokenExpiresAt = accessTokenExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case username
        case accessTokenExpiresAt = "access_token_expires_at"
    }
}

/// Reads and writes the config file: written atomically (temporary file created 0600, fsync, rename), so it is
/// never seen half-written nor readable by others, even for a moment.
public struct ConfigFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// `$XDG_CONFIG_HOME/particlectl/config.json`, else `$HOME/.config/particlectl/config.json`.
    public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigFile {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return ConfigFile(path: base + "/particlectl/config.json")
    }

    /// The stored credentials, nil when the file does not exist. Throws when it exists but cannot be read.
    public func load() throws -> StoredCredentials? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError(.io, "cannot read \(path); check its permissions")
        }
        do {
            return try JSONDecoder().decode(StoredCredentials.self, from: data)
        } catch {
            throw UserError(.io, "\(path) is not valid particlectl JSON; fix or delete it, then run `particlectl login`")
        }
    }

    /// Writes the credentials (creating the folder with mode 0700).
    public func save(_ credentials: StoredCredentials) throws {
        let data = Data((try? JSONOutput.encode(credentials, style: .pretty)) ?? Array("{}".utf8))
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw UserError(.io, "cannot create \(folder); check its permissions")
        }
        let temporary = "\(folder)/.config.json.\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw UserError(.io, "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, 0o600) == 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while ok, offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    ok = false
                } else {
                    offset += written
                }
            }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw UserError(.io, "cannot write \(path): \(reason)")
        }
    }

    /// Deletes the file; no error when it does not exist.
    public func remove() throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw UserError(.io, "cannot delete \(path): \(String(cString: strerror(errno)))")
        }
    }
}
