import Foundation
import Glibc
import Testing

/// A one-connection-at-a-time SoftAP device on loopback TCP that answers every request with the same bytes:
/// for replies the simulator cannot produce (hostile SSIDs). Stopped by `stop()`.
final class CannedSoftAPDevice: @unchecked Sendable {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
        func set() { lock.lock(); value = true; lock.unlock() }
    }

    let port: Int
    private let listener: Int32
    private let stopped = Flag()
    private let finished = Flag()

    init(reply: [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 4) == 0 else {
            close(fd)
            throw CannedDeviceError()
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        let stopped = self.stopped, finished = self.finished
        Thread {
            defer { finished.set() }
            while !stopped.isSet {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                // Read the request up to its blank line (`name\nlength\n\n`), then answer and close.
                var request: [UInt8] = []
                var byte: UInt8 = 0
                while request.suffix(2) != [0x0A, 0x0A], request.count < 4096, recv(client, &byte, 1, 0) == 1 {
                    request.append(byte)
                }
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }.start()
    }

    struct CannedDeviceError: Error {}

    func stop() {
        stopped.set()
        let deadline = Date().addingTimeInterval(2)
        while !finished.isSet, Date() < deadline { usleep(10_000) }
        close(listener)
    }
}

/// SoftAP input checked before anything is sent, and hostile SSIDs escaped in human output.
@Suite struct SoftAPFaultCLITests {
    /// Nothing listens here: a command that contacted the device would fail with exit 6 (or 4).
    static let unreachable = "127.0.0.1:1"

    func softap(_ arguments: [String], address: String = SoftAPFaultCLITests.unreachable, stdin: String? = nil) async throws -> ToolResult {
        try await ToolRunner.particlectl(["softap", arguments[0], "--address", address, "--attempts", "1"] + arguments.dropFirst(),
                                   stdin: stdin, timeout: 20)
    }

    @Test func badWiFiInputIsExit2BeforeContactingTheDevice() async throws {
        let cases: [([String], String?)] = [
            (["setup", "--ssid", "HomeNet", "--security", "wpa2_aes", "--password-stdin"], "\n"),
            (["configure", "--ssid", "HomeNet", "--security", "wpa2_aes", "--password-stdin"], "short\n"),
            (["configure", "--ssid", "HomeNet", "--security", "wpa2_aes", "--password-stdin"], ""),
            (["setup", "--ssid", "HomeNet", "--password-stdin"], "\n"),
            (["setup", "--ssid", "HomeNet", "--password-stdin"], "abc\n"),
            (["setup", "--ssid", "", "--security", "open"], nil),
            (["configure", "--ssid", String(repeating: "x", count: 33), "--security", "open"], nil),
            (["setup", "--ssid", "Corp", "--security", "wpa2_enterprise"], nil),
        ]
        for (arguments, stdin) in cases {
            let result = try await softap(arguments, stdin: stdin)
            #expect(result.status == 2, "\(arguments) \(stdin ?? "-"): \(result.stderr)")
            #expect(result.stderr.hasPrefix("particlectl: "), "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("cannot connect"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func softAPLibraryErrorsAreToldWithEachCommandsOwnFlags() async throws {
        let info = try await softap(["info"], address: "127.0.0.1:99999")
        #expect(info.status == 2)
        #expect(info.stderr.contains("--address 127.0.0.1:99999: the port must be a number from 1 to 65535"), "\(info.stderr)")
        let provision = try await ToolRunner.particlectl(
            ["provision", "--softap", "--address", "127.0.0.1:99999", "--ssid", "HomeNet", "--password-stdin"],
            stdin: "correct horse battery\n", environment: ["PARTICLE_AUTH": "0123456789abcdef0123456789abcdef01234567"],
            timeout: 20)
        #expect(provision.status == 2)
        #expect(provision.stderr == "particlectl: --address 127.0.0.1:99999: the port must be a number from 1 to 65535\n")
    }

    @Test func anEmptyPasswordSendsNothingToALiveDevice() async throws {
        let sim = try await SoftAPSimProcess()
        let result = try await softap(["setup", "--ssid", "HomeNet", "--security", "wpa2_aes", "--password-stdin"],
                                address: sim.tcp, stdin: "\n")
        let log = sim.stop()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!log.contains("event: request"), "\(log)")
    }

    @Test func aPasswordTooShortForTheScannedNetworkWritesNothing() async throws {
        let sim = try await SoftAPSimProcess()
        // 6 bytes could be a WEP key, so only the scan (HomeNet is WPA2) shows it is wrong: before any write.
        let result = try await softap(["setup", "--ssid", "HomeNet", "--password-stdin", "--claim-code", "abcdef"],
                                address: sim.tcp, stdin: "short1\n")
        let log = sim.stop()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr == "particlectl: a WPA/WPA2 password must be 8 to 64 characters\n")
        #expect(log.contains("command=scan-ap"))
        #expect(!log.contains("claim-code-set") && !log.contains("command=set") && !log.contains("command=configure-ap"), "\(log)")
    }

    @Test func hostileSSIDsAreEscapedInTheTableAndExactInJSON() async throws {
        let ssid = "Evil\u{1B}]0;pwned\u{07}\u{1B}[2J"
        let reply = Array("\n\n{\"scans\":[{\"ssid\":\"".utf8) + Array(ssid.utf8)
            + Array("\",\"rssi\":-40,\"sec\":4194308,\"ch\":6,\"mdr\":144400}]}".utf8)
        let device = try CannedSoftAPDevice(reply: reply)
        defer { device.stop() }
        let table = try await softap(["scan"], address: "127.0.0.1:\(device.port)")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains(#"Evil\x1b]0;pwned\x07\x1b[2J"#))
        #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{07}"))
        let json = try await softap(["scan", "--json"], address: "127.0.0.1:\(device.port)")
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["ssid"] as? String == ssid)
    }
}
