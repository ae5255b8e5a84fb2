// A real PostgreSQL server for tests: initdb in a temporary folder, pg_ctl on a free loopback port with its socket in
// that folder, password authentication (scram) for one superuser. As root (CI) it runs as the `postgres` user through
// runuser, since PostgreSQL refuses root. Every wait is bounded; the server is stopped by `stop()` and, for the
// shared one, when the test process exits. A library target of its own, so that every test target uses this one copy.
import Foundation
import Glibc

public final class PostgresServer: @unchecked Sendable {
    public static let user = "ledger"
    public static let password = "s3cret-Ledger-pw"

    public let folder: String
    public let port: Int
    private let binaries: String
    private let runAs: String?
    private let lock = NSLock()
    private var running = false
    private var databases = 0

    /// One server for the whole test process (each test takes a database of its own); stopped at exit.
    public static func shared() async throws -> PostgresServer {
        try await SharedServer.instance.get()
    }

    private init(folder: String, port: Int, binaries: String, runAs: String?) {
        self.folder = folder
        self.port = port
        self.binaries = binaries
        self.runAs = runAs
    }

    /// initdb + start; throws when PostgreSQL is not installed or does not start within 60 s.
    public static func start() async throws -> PostgresServer {
        guard let binaries = findBinaries() else {
            throw ServerError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); apt-get install postgresql")
        }
        var template = Array("/tmp/ledger-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ServerError("mkdtemp failed") }
        let folder = String(cString: made)
        var runAs: String?
        if geteuid() == 0 {
            guard let entry = getpwnam("postgres") else { throw ServerError("no postgres user to run the server as") }
            chown(folder, entry.pointee.pw_uid, entry.pointee.pw_gid)
            runAs = "postgres"
        }
        chmod(folder, 0o700)
        let server = PostgresServer(folder: folder, port: try freePort(), binaries: binaries, runAs: runAs)
        let passwordFile = folder + "/pwfile"
        _ = FileManager.default.createFile(atPath: passwordFile, contents: Data((password + "\n").utf8))
        if let runAs, let entry = getpwnam(runAs) { chown(passwordFile, entry.pointee.pw_uid, entry.pointee.pw_gid) }
        try await server.tool("initdb", ["-D", folder + "/data", "-U", user, "-A", "scram-sha-256",
                                         "--pwfile=" + passwordFile, "--locale=C.UTF-8", "-E", "UTF8", "--no-sync"], timeout: 60)
        try await server.startServer()
        ExitCleanup.register(server)
        return server
    }

    public var host: String { "127.0.0.1" }

    /// `postgres://ledger@127.0.0.1:PORT/DATABASE` (no password: tests pass PGPASSWORD).
    public func url(_ database: String) -> String { "postgres://\(Self.user)@\(host):\(port)/\(database)" }

    /// The environment a client needs (the password), for `LedgerOptions.environment` or a child process.
    public var environment: [String: String] { ["PGPASSWORD": Self.password, "HOME": folder] }

    /// A new, empty database; returns its name.
    public func createDatabase(_ prefix: String = "ledger") async throws -> String {
        let name = lock.withLock {
            databases += 1
            return "\(prefix)_\(databases)"
        }
        try await sql("CREATE DATABASE \(name)", database: "postgres")
        return name
    }

    /// Runs SQL through psql (over the socket in the folder).
    @discardableResult
    public func sql(_ statement: String, database: String) async throws -> String {
        try await tool("psql", ["-h", folder, "-p", String(port), "-U", Self.user, "-d", database, "-v",
                                "ON_ERROR_STOP=1", "-At", "-c", statement], environment: ["PGPASSWORD": Self.password])
    }

    public func startServer() async throws {
        try await tool("pg_ctl", ["-D", folder + "/data", "-l", folder + "/log", "-w", "-t", "60", "-o",
                                  "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       timeout: 70)
        lock.withLock { running = true }
    }

    /// Stops the server (fast shutdown: connections are closed); the data stays for `startServer()`.
    public func stopServer() async throws {
        try await tool("pg_ctl", ["-D", folder + "/data", "-w", "-t", "30", "-m", "fast", "stop"], timeout: 40)
        lock.withLock { running = false }
    }

    /// Stops the server and removes its folder.
    public func stop() async {
        if lock.withLock({ running }) { try? await stopServer() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The same, synchronously, for the exit handler.
    func stopAtExit() {
        guard lock.withLock({ running }) else { return }
        var arguments = [binaries + "/pg_ctl", "-D", folder + "/data", "-m", "immediate", "stop"]
        if let runAs { arguments = ["/usr/sbin/runuser", "-u", runAs, "--"] + arguments }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs one PostgreSQL program (as the server's user when root) and returns its output; fails on a non-zero
    /// exit. Spawned and waited for by hand on a thread of its own: `pg_ctl start` leaves a daemon behind that would
    /// keep Foundation's `Process` from ever reporting the exit.
    @discardableResult
    private func tool(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                      timeout: Double = 30) async throws -> String {
        var command = [binaries + "/" + name] + arguments
        if let runAs { command = ["/usr/sbin/runuser", "-u", runAs, "--"] + command }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let outputFile = "/tmp/ledger-pg-out-\(UUID().uuidString)"
        defer { unlink(outputFile) }
        let finished = try await Self.spawnAndWait(command, environment: env, output: outputFile, timeout: timeout)
        let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        guard finished == 0 else { throw ServerError("\(name) failed (\(finished)): \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// posix_spawn with stdin from /dev/null and stdout+stderr to `output`; its exit status (-1: killed at `timeout`).
    private static func spawnAndWait(_ command: [String], environment: [String: String], output: String,
                                     timeout: Double) async throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw ServerError("cannot start \(command[0]): \(String(cString: strerror(spawned)))") }
        let child = pid
        let watchdog = DispatchWorkItem { kill(child, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(child, &raw, 0) < 0 && errno == EINTR {}
                let exited = raw & 0x7f == 0
                continuation.resume(returning: exited ? (raw >> 8) & 0xff : -1)
            }
        }
        watchdog.cancel()
        return status
    }

    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// A port nobody listens on now (bound to 0, read back, released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw ServerError("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The process-wide server, started on first use and stopped by an exit handler.
private actor SharedServer {
    static let instance = SharedServer()
    private var server: Task<PostgresServer, any Error>?

    func get() async throws -> PostgresServer {
        if let server { return try await server.value }
        let starting = Task { () throws -> PostgresServer in try await PostgresServer.start() }
        server = starting
        return try await starting.value
    }
}

/// Servers still running when the test process exits are stopped then.
private enum ExitCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var servers: [PostgresServer] = []

    static func register(_ server: PostgresServer) {
        lock.withLock {
            if servers.isEmpty { atexit { ExitCleanup.stopAll() } }
            servers.append(server)
        }
    }

    static func stopAll() {
        for server in lock.withLock({ servers }) { server.stopAtExit() }
    }
}
