import Foundation
import Glibc
import ParticleCore

/// Checks on the ledger's path made before SQLite touches it, so that a bad path is refused with a clear reason and
/// no file is created. Write permission is judged by the mode bits as well as `access(2)`: a ledger (or its folder)
/// without any write bit is refused even for root, who `access` would let through.
enum LedgerFile {
    /// What is at the path before opening.
    enum State: Equatable {
        case absent
        /// An existing regular file; `empty` when it has no byte yet (SQLite takes it as a new database).
        case existing(empty: Bool)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Refuses a path the station could not write a ledger at; says whether a file is there already.
    static func checkWritable(_ path: String) throws -> State {
        let folder = directory(of: path)
        var info = stat()
        guard stat(folder, &info) == 0 else {
            let reason = errno == ENOENT ? "its directory \(folder) does not exist; create it"
                : "its directory \(folder) cannot be read (\(String(cString: strerror(errno))))"
            throw LedgerError(.cannotOpen, path: path, "cannot open the ledger \(path): \(reason), or pass --ledger with another path")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(.cannotOpen, path: path,
                              "cannot open the ledger \(path): \(folder) is not a directory; pass --ledger with another path")
        }
        let state = try existing(path)
        if state != .absent {
            var file = stat()
            if stat(path, &file) == 0, access(path, W_OK) != 0 || file.st_mode & 0o222 == 0 {
                throw LedgerError.readOnly(path, "the file is read-only")
            }
        }
        if access(folder, W_OK) != 0 || info.st_mode & 0o222 == 0 {
            throw LedgerError.readOnly(path, "its directory \(folder) is not writable (SQLite keeps \(path)-wal and "
                                       + "\(path)-shm beside it)")
        }
        return state
    }

    /// Refuses a path a report cannot read a ledger from.
    static func checkReadable(_ path: String) throws {
        guard try existing(path) != .absent else { throw LedgerError.missing(path) }
        guard access(path, R_OK) == 0 else {
            throw LedgerError(.cannotOpen, path: path,
                              "cannot read the ledger \(path): \(String(cString: strerror(errno))); check its permissions")
        }
    }

    /// Whether a file is at `path`, refusing a directory or a file that is not SQLite.
    private static func existing(_ path: String) throws -> State {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return .absent }
            throw LedgerError(.cannotOpen, path: path,
                              "cannot open the ledger \(path): \(String(cString: strerror(errno))); pass --ledger with another path")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw LedgerError(.cannotOpen, path: path,
                              "cannot open the ledger \(path): it is not a regular file; pass --ledger with a file path")
        }
        if info.st_size == 0 { return .existing(empty: true) }
        guard let header = readHeader(path) else {
            // Unreadable: let the open report the permission problem.
            return .existing(empty: false)
        }
        guard header.starts(with: sqliteMagic) else {
            throw LedgerError.notALedger(path, "not an SQLite database")
        }
        return .existing(empty: false)
    }

    private static let sqliteMagic = Array("SQLite format 3\0".utf8)

    private static func readHeader(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: sqliteMagic.count)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        return Array(bytes.prefix(count))
    }

    /// An exclusive `flock` on a directory, for the length of an opening.
    struct DirectoryLock: Sendable {
        let descriptor: Int32
        func unlock() {
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    /// Waits (on a thread of its own, not the cooperative pool) for the lock on `path`'s directory. A directory
    /// that cannot be opened gives no lock: the checks before and after report its problem.
    static func lockDirectory(of path: String) async -> DirectoryLock {
        let folder = directory(of: path)
        return await IOThread.run(name: "ledger-open-lock") { () -> DirectoryLock in
            let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { return DirectoryLock(descriptor: -1) }
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
            return DirectoryLock(descriptor: descriptor)
        }
    }

    /// Removes a ledger this process created and could not finish initialising, with SQLite's side files.
    static func removeCreated(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }
}
