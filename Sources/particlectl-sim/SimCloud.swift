import ArgumentParser
import Dispatch
import Foundation
import ParticleCLISupport
import ParticleCore
import ParticleSimulators

/// `particlectl sim cloud`: a local fake of the Particle Cloud API on a real HTTP server.
struct SimCloud: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud",
        abstract: "Run a local fake Particle cloud (REST API, OAuth, event stream) for tests and demos.",
        discussion: """
            Prints its URL (http://HOST:PORT) as the first line on stdout, then serves until interrupted; point \
            particlectl at it with --api-url URL or PARTICLE_API_URL=URL. Seeded from a JSON fixture (--print-seed \
            shows the default one: users dev@example.com / dev-password, mfa@example.com / mfa-password with code \
            123456). On SIGINT or SIGTERM it writes its state to --state. Simulator-only endpoints live under \
            /_sim/ (device online with claim code, faults, dropped streams, recorded requests); see the README.
            """
    )

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 = any free port).")
    var listen = "127.0.0.1:9090"

    @Option(name: .long, help: "Seed fixture (JSON); default: the built-in seed.")
    var seed: String?

    @Option(name: .long, help: "Where to write the state on exit.")
    var state = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/particlectl-sim-cloud-state.json"

    @Flag(name: .long, help: "Print the built-in seed fixture and exit.")
    var printSeed = false

    @Option(name: .long, help: "Delay every API reply by this many milliseconds.")
    var latencyMs = 0

    @Option(name: .long, help: "Answer the first N API requests with 503.")
    var serverErrors = 0

    @Option(name: .long, help: "Answer the first N API requests with 429.")
    var rateLimits = 0

    @Option(name: .long, help: "Retry-After seconds sent with 429 replies (default: no header).")
    var retryAfter: Int?

    @Option(name: .long, help: "POST /oauth/token calls allowed per 5 minutes before 429.")
    var oauthLimit = 100

    @Option(name: .long, help: "Seconds between keep-alive comments on event streams.")
    var keepalive = 9.0

    func validate() throws {
        guard parseListen() != nil else { throw ValidationError("--listen must be HOST:PORT, like 127.0.0.1:9090") }
        guard keepalive > 0 else { throw ValidationError("--keepalive must be positive") }
    }

    func parseListen() -> (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        if printSeed {
            FileHandle.standardOutput.write(Data((FakeCloudSeed.json + "\n").utf8))
            return
        }
        let data = try loadSeed()
        var faults = FakeCloudFaults()
        faults.latencyMilliseconds = latencyMs
        faults.serverErrors = serverErrors
        faults.rateLimits = rateLimits
        faults.retryAfter = retryAfter
        faults.oauthLimit = oauthLimit
        let cloud = FakeCloud(data: data, faults: faults, keepAliveInterval: keepalive)
        let statePath = state
        let signals = StateOnExit.install(cloud: cloud, path: statePath)
        defer { _ = signals }
        guard let (host, port) = parseListen() else { return }
        do {
            try await FakeCloudServer.run(cloud, host: host, port: port) { chosen in
                FileHandle.standardOutput.write(Data("http://\(host):\(chosen)\n".utf8))
                FileHandle.standardError.write(Data("particlectl sim cloud: serving; state goes to \(statePath) on exit\n".utf8))
            }
        } catch {
            throw UserError(.io, "cannot listen on \(listen): \(error); pick another port (0 = any free port)")
        }
    }

    private func loadSeed() throws -> FakeCloudData {
        guard let seed else { return try FakeCloudSeed.data() }
        guard let bytes = FileManager.default.contents(atPath: seed) else {
            throw UserError(.notFound, "cannot read seed fixture \(seed)")
        }
        do {
            return try JSONDecoder().decode(FakeCloudData.self, from: bytes)
        } catch {
            throw UserError(.usage, "\(seed) is not a fake-cloud fixture (see --print-seed for the shape)")
        }
    }
}

/// Writes the fake cloud's state to a file when SIGINT or SIGTERM arrives (`StopSignals`), then exits 0.
enum StateOnExit {
    static func install(cloud: FakeCloud, path: String) -> Task<Void, Never> {
        StopSignals.install()
        return Task.detached {
            while !StopSignals.received {
                guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
            }
            let snapshot = await cloud.snapshot()
            if let bytes = (try? JSONOutput.encode(snapshot, style: .pretty)).map({ Data($0) }) {
                let temporary = path + ".tmp"
                if FileManager.default.createFile(atPath: temporary, contents: bytes,
                                                  attributes: [.posixPermissions: 0o600]) {
                    _ = rename(temporary, path)
                }
            }
            exit(0)
        }
    }
}
