import Foundation
import Glibc
import Testing

/// `particlectl-sim device` running as a separate process, for end-to-end tests: the first stdout line names its
/// pty; `stop()` ends it by its pid and returns everything it printed (one line per event).
final class SimulatedDeviceProcess: @unchecked Sendable {
    let process = Process()
    let output = OutputCollector()
    let port: String

    init(_ arguments: [String] = [], timeout: Double = 10) async throws {
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectlSim)
        process.arguments = ["device"] + arguments
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let collector = output
        collector.collect(outPipe.fileHandleForReading, to: .out)
        collector.collect(errPipe.fileHandleForReading, to: .err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let (out, err) = output.contents
            if let first = out.split(separator: "\n").first, out.contains("\n") {
                port = first.hasPrefix("port: ") ? String(first.dropFirst(6)) : String(first)
                break
            }
            if process.exitSeen != nil || Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                throw SimulatorStartFailure(stderr: err)
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// Lines printed after the port line.
    var events: [String] { Array(output.contents.0.split(separator: "\n").dropFirst().map(String.init)) }

    /// Waits (bounded) until the simulator has printed an event line containing `text`.
    func waitForEvent(containing text: String, timeout: Double = 5) async -> Bool {
        await eventually(within: timeout) { events.contains(where: { $0.contains(text) }) }
    }

    /// Waits (bounded) for the simulator to exit by itself.
    func waitForExit(timeout: Double = 5) async -> Bool {
        await eventually(within: timeout) { process.exitSeen != nil }
    }

    /// Ends the simulator (SIGTERM, then SIGKILL after 3 s) and returns its exit status. Blocking, for `defer`: the
    /// simulator ends within milliseconds of SIGTERM.
    @discardableResult
    func stop() -> Int32 {
        process.terminate()?.status ?? -1
    }

    deinit { if process.exitSeen == nil { kill(process.processIdentifier, SIGKILL) } }
}

struct SimulatorStartFailure: Error, CustomStringConvertible {
    var stderr: String
    var description: String { "particlectl-sim device did not start: \(stderr)" }
}

@Suite("particlectl sim device")
struct SerialDeviceSimTests {
    @Test func printsItsPortFirstAndStopsCleanlyOnSIGTERM() async throws {
        let sim = try await SimulatedDeviceProcess()
        #expect(sim.port.hasPrefix("/dev/pts/"))
        #expect(FileManager.default.fileExists(atPath: sim.port))
        #expect(sim.stop() == 0)
    }

    @Test func jsonFirstLineDescribesTheDevice() async throws {
        let sim = try await SimulatedDeviceProcess(["--json", "--platform", "argon", "--id", "E00FCE681F2A3B4C5D6E7F80"])
        defer { sim.stop() }
        let first = sim.output.contents.0.split(separator: "\n").first.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: String]
        #expect(object?["platform"] == "argon")
        #expect(object?["id"] == "e00fce681f2a3b4c5d6e7f80")
        #expect(object?["port"]?.hasPrefix("/dev/pts/") == true)
    }

    @Test(arguments: [["--platform", "nokia"], ["--id", "xyz"], ["--fault", "fire"], ["--ssid-visible", "Bench"]])
    func badOptionsAreUsageErrors(arguments: [String]) async throws {
        let result = try await ToolRunner.run(ToolRunner.particlectlSim, ["device"] + arguments, timeout: 10)
        #expect(result.status == 2)
        #expect(!result.stderr.isEmpty)
    }

    @Test func particlectlSimDeviceIsReachedThroughParticlectl() async throws {
        let result = try await ToolRunner.particlectl(["sim", "device", "--help"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.stdout.contains("--ssid-visible"))
    }
}
