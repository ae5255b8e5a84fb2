import Foundation
import Glibc
import Testing

/// `serial wifi` at a terminal: stdin is a real pty, the questions appear on stderr, the answers are typed into the
/// terminal once each question has been asked; the password is read with echo off.
@Suite("particlectl serial wifi, interactive")
struct SerialWiFiInteractiveTests {
    @Test func asksForWhatTheDeviceNeedsAndNeverEchoesThePassword() throws {
        let sim = try SimulatedDeviceProcess(["--platform", "argon"])
        defer { sim.stop() }
        var master: Int32 = -1, slave: Int32 = -1
        try #require(openpty(&master, &slave, nil, nil, nil) == 0)
        defer { close(master) }
        let terminal = OutputCollector()  // what the terminal shows (the echo of what was typed)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: ToolRunner.particlectl)
        process.arguments = ["serial", "wifi", "--port", sim.port, "--json"]
        process.standardInput = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let output = OutputCollector()
        out.fileHandleForReading.readabilityHandler = { output.append($0.availableData, to: .out) }
        err.fileHandleForReading.readabilityHandler = { output.append($0.availableData, to: .err) }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        func drainTerminal() {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            while poll(&pfd, 1, 0) > 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }
                terminal.append(Data(buffer.prefix(n)), to: .out)
            }
        }
        func answer(after question: String, with text: String) throws {
            let deadline = Date().addingTimeInterval(10)
            while !output.contents.1.contains(question), process.isRunning, Date() < deadline {
                drainTerminal()
                usleep(10_000)
            }
            try #require(output.contents.1.contains(question), "never asked \(question): \(output.contents.1)")
            _ = (text + "\n").withCString { write(master, $0, strlen($0)) }
        }

        try answer(after: "SSID: ", with: "Bench")
        try answer(after: "Security (none, wep, wpa, wpa2, wpa3): ", with: "wpa2")
        try answer(after: "Password: ", with: "typed-secret-42")
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { drainTerminal(); usleep(10_000) }
        drainTerminal()
        #expect(!process.isRunning)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output.contents.1)")
        #expect(output.contents.0 == #"{"port":"\#(sim.port)","saved":true,"ssid":"Bench"}"# + "\n")
        // What was typed for SSID and security is echoed by the terminal; the password is not, and appears nowhere.
        #expect(terminal.contents.0.contains("Bench"))
        #expect(!terminal.contents.0.contains("typed-secret-42"))
        #expect(!output.contents.0.contains("typed-secret-42") && !output.contents.1.contains("typed-secret-42"))
        #expect(sim.waitForEvent(containing: "wifi-saved security=wpa2 ssid=Bench"))
    }
}
