import Glibc
import ParticleCore
import ParticleProvisioning

/// The Wi-Fi password for the station: from `--password-stdin` (read once by the CLI and passed in), else from the
/// environment variable the profile names, else from a file that must be a regular file of mode 0600/0400 owned by
/// the user running the station. Only the trailing line ending is removed; the password is then checked against the
/// network's security (`WiFiPasswordRule`). Never in a message.
public enum StationSecret {
    /// The largest password file read (a password is at most 64 characters).
    public static let maximumFileSize = 4096

    /// nil when the profile joins no network, or names no password source and no security that needs one (the
    /// device decides: an open network).
    public static func wifiPassword(profile: StationProfile, stdinPassword: String?,
                                    environment: [String: String]) throws(ProfileError) -> String? {
        guard let wifi = profile.wifi else { return nil }
        let password: String
        if let stdinPassword {
            password = withoutLineEnding(stdinPassword)
        } else if let name = wifi.passwordEnvironment {
            guard let value = environment[name] else {
                throw ProfileError("the environment variable \(name) (wifi.password_env) that holds the Wi-Fi password is not set; export it before starting the station, or pipe the password with --password-stdin")
            }
            password = withoutLineEnding(value)
        } else if let path = wifi.passwordFile {
            password = withoutLineEnding(try readFile(path))
        } else {
            if let security = wifi.security, security.needsPassword {
                throw ProfileError("the network \(wifi.ssid) (\(security)) needs a password: name an environment variable with wifi.password_env (--password-env), a 0600 file with wifi.password_file (--password-file), or pipe it with --password-stdin")
            }
            return nil
        }
        if let problem = WiFiPasswordRule.problem(password, security: wifi.security) {
            throw ProfileError("the Wi-Fi password for \(wifi.ssid) cannot work: \(problem)")
        }
        return password
    }

    /// One trailing `\n` or `\r\n` removed; spaces kept (a passphrase may end with one).
    static func withoutLineEnding(_ text: String) -> String {
        var scalars = text.unicodeScalars[...]
        if scalars.last == "\n" {
            scalars = scalars.dropLast()
            if scalars.last == "\r" { scalars = scalars.dropLast() }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// The file's text, after checking it is a regular file, owned by this user, closed to group and others.
    /// Checked on the open descriptor, so the file read is the file checked.
    static func readFile(_ path: String) throws(ProfileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            throw ProfileError("cannot read the Wi-Fi password file \(path) (wifi.password_file): \(String(cString: strerror(code)))",
                               exitStatus: code == ENOENT ? .usage : .io)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ProfileError("cannot check the Wi-Fi password file \(path): \(String(cString: strerror(errno)))", exitStatus: .io)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ProfileError("the Wi-Fi password file \(path) is not a regular file; point wifi.password_file at a file of mode 0600")
        }
        let mode = info.st_mode & 0o7777
        let shown = "0" + String(mode, radix: 8)
        if mode & 0o044 != 0 {
            throw ProfileError("\(path) is readable by others (mode \(shown)); chmod 600 it")
        }
        if mode & 0o077 != 0 {
            throw ProfileError("\(path) is open to others (mode \(shown)); chmod 600 it")
        }
        guard info.st_uid == geteuid() else {
            throw ProfileError("\(path) belongs to user \(info.st_uid), not to the user running the station (\(geteuid())); chown it")
        }
        let bytes = try FileBytes.read(fd, limit: maximumFileSize, path: path, what: "the Wi-Fi password file")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ProfileError("the Wi-Fi password file \(path) is not UTF-8 text")
        }
        return text
    }
}
