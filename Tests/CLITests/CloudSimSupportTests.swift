import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Testing

/// `particlectl sim cloud` as a separate process on 127.0.0.1 port 0, plus a private config home, for the cloud
/// CLI tests. Stopped by its pid (SIGTERM, then SIGKILL after a deadline).
final class SimCloudProcess: @unchecked Sendable {
    let process = Process()
    let url: String
    let home: String
    let statePath: String
    private let output = OutputCollector()

    init(extraArguments: [String] = []) async throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-cloud-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        statePath = home + "/state.json"
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectlSim)
        process.arguments = ["cloud", "--listen", "127.0.0.1:0", "--state", statePath, "--keepalive", "0.5"] + extraArguments
        let outPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read on a thread of our own, not with a FileHandle readability handler (a dispatch source that can crash
        // libdispatch when many tests run processes at once).
        streamOnThread(outPipe.fileHandleForReading.fileDescriptor, into: output, as: .out)
        var firstLine: String?
        let output = output, process = process
        await eventually(within: 30) { output.contents.0.contains("\n") || process.exitSeen != nil }
        let (out, _) = output.contents
        if let newline = out.firstIndex(of: "\n") { firstLine = String(out[..<newline]) }
        guard let firstLine, firstLine.hasPrefix("http://127.0.0.1:") else {
            kill(process.processIdentifier, SIGKILL)
            throw SimCloudError(message: "particlectl-sim cloud did not print its URL")
        }
        url = firstLine
    }

    /// The environment every cloud CLI run gets: this fake, a private config home, no inherited token.
    var environment: [String: String] {
        ["PARTICLE_API_URL": url, "XDG_CONFIG_HOME": home + "/config", "HOME": home, "PARTICLE_AUTH": "",
         "PARTICLE_CLIENT_SECRET": ""]
    }

    var configPath: String { home + "/config/particlectl/config.json" }

    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
             timeout: Double = 30) async throws -> ToolResult {
        var env = environment
        for (key, value) in extra { env[key] = value }
        return try await ToolRunner.particlectl(arguments, stdin: stdin, environment: env, timeout: timeout)
    }

    /// Calls a simulator endpoint (`/_sim/…`) and returns the JSON reply.
    func sim(_ method: String, _ path: String, json body: String? = nil) async throws -> Any {
        var request = URLRequest(url: try #require(URL(string: url + path)))
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Every token the fake ever issued and still knows.
    func issuedTokens() async throws -> [String] {
        let state = try #require(try await sim("GET", "/_sim/state") as? [String: Any])
        let tokens = try #require(state["tokens"] as? [[String: Any]])
        return tokens.compactMap { $0["token"] as? String }
    }

    /// Ends it (SIGTERM, then SIGKILL after 5 s); how it ended.
    @discardableResult
    func stop() -> ChildExit? { process.terminate(grace: 5) }

    deinit { stop() }
}

/// Appends everything read from `descriptor` to `collector` on a thread of its own, until end of file. The thread
/// reads its own duplicate of the descriptor, so the pipe's owner may close it at any time.
func streamOnThread(_ descriptor: Int32, into collector: OutputCollector, as stream: OutputCollector.Stream) {
    let own = dup(descriptor)
    guard own >= 0 else { return }
    let thread = Thread {
        defer { close(own) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(own, &buffer, buffer.count)
            if count > 0 {
                collector.append(Data(buffer[0..<count]), to: stream)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                collector.append(Data(), to: stream)
                return
            }
        }
    }
    thread.start()
}

struct SimCloudError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Parses one line of `--json` output.
func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func jsonArray(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
}

@Suite struct CloudSimSupportTests {
    @Test func simCloudPrintsItsURLFirstAndWritesStateOnSIGTERM() async throws {
        let sim = try await SimCloudProcess()
        #expect(sim.url.hasPrefix("http://127.0.0.1:"))
        #expect(sim.stop() == .exited(0))
        let state = try jsonObject(String(decoding: try Data(contentsOf: URL(fileURLWithPath: sim.statePath)), as: UTF8.self))
        #expect((state["devices"] as? [Any])?.count == 5)
        var info = stat()
        stat(sim.statePath, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func customSeedFixtureIsServedAndABadOneIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("particlectl-seed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let seed = folder + "/seed.json"
        try """
            {"users":[{"username":"solo@example.com","password":"pw"}],
             "devices":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","name":"lonely","platform_id":32,"owner":"solo@example.com",
                         "online":true,"functions":[],"variables":{"t":21.5}}]}
            """.write(toFile: seed, atomically: true, encoding: .utf8)
        let sim = try await SimCloudProcess(extraArguments: ["--seed", seed])
        defer { sim.stop() }
        let login = try await sim.run(["login", "--username", "solo@example.com", "--password-stdin"], stdin: "pw\n")
        #expect(login.status == 0)
        await #expect(try sim.run(["cloud", "get", "lonely", "t"]).stdout == "21.5\n")

        try "{\"users\": 5}".write(toFile: seed, atomically: true, encoding: .utf8)
        let bad = try await ToolRunner.run(ToolRunner.particlectlSim, ["cloud", "--listen", "127.0.0.1:0", "--seed", seed], timeout: 20)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not a fake-cloud fixture"))
    }

    @Test func portInUseIsExit6() async throws {
        let sim = try await SimCloudProcess()
        defer { sim.stop() }
        let address = String(sim.url.dropFirst("http://".count))
        let second = try await ToolRunner.run(ToolRunner.particlectlSim, ["cloud", "--listen", address], timeout: 20)
        #expect(second.status == 6)
        #expect(second.stderr.hasPrefix("particlectl sim: cannot listen on \(address)"))
    }

    @Test func badListenAddressIsUsageError() async throws {
        let result = try await ToolRunner.run(ToolRunner.particlectlSim, ["cloud", "--listen", "nowhere"], timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr.contains("HOST:PORT"))
    }
}
