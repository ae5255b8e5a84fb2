import Foundation
@testable import ParticleStation
import Testing

/// The one thread that waits on every fixed port of a station: file-system notifications end the waits (the slow
/// fallback check is set to a minute here, so only a notification can end them within the tests' deadlines), a swap
/// is the node going away and coming back, and a cancelled wait ends at once with false.
@Suite("Port watcher")
struct PortWatcherTests {
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The wait's result, or nil if it had not ended after `seconds` (it is then cancelled).
    static func within(_ seconds: Double, _ wait: @escaping @Sendable () async -> Bool) async -> Bool? {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await wait() }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Polls (bounded) until the watcher's pending waits are `expected`.
    static func expectPending(_ watcher: PortWatcher, _ expected: [PortWatcher.PendingWait]) async {
        let deadline = Date().addingTimeInterval(30)
        while watcher.pending != expected, Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        #expect(watcher.pending == expected)
    }

    @Test func manyPortsWaitOnOneThreadAndEachEndsWhenItsNodeAppears() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let watcher = PortWatcher(fallback: 60)
        let ports = (0..<16).map { folder.appendingPathComponent("tty\($0)").path }
        await withTaskGroup(of: (String, Bool).self) { group in
            for port in ports { group.addTask { (port, await watcher.wait(until: true, port)) } }
            await Self.expectPending(watcher, ports.map { PortWatcher.PendingWait(port: $0, exists: true) }.sorted())
            // Half of them appear; only those waits end, each with true.
            for port in ports.prefix(8) { #expect(FileManager.default.createFile(atPath: port, contents: nil)) }
            var ended: [String: Bool] = [:]
            for _ in 0..<8 {
                guard let (port, result) = await group.next() else { break }
                ended[port] = result
            }
            #expect(ended == Dictionary(uniqueKeysWithValues: ports.prefix(8).map { ($0, true) }))
            await Self.expectPending(watcher, ports.suffix(8).map { PortWatcher.PendingWait(port: $0, exists: true) }.sorted())
            // The others end with false when cancelled.
            group.cancelAll()
            var cancelled: [String] = []
            for await (port, result) in group {
                #expect(!result)
                cancelled.append(port)
            }
            #expect(cancelled.sorted() == ports.suffix(8).sorted())
        }
        #expect(watcher.pending.isEmpty)
    }

    @Test func aSwapIsTheNodeGoingAwayAndComingBack() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = folder.appendingPathComponent("ttyACM0").path
        #expect(FileManager.default.createFile(atPath: port, contents: nil))
        let watcher = PortWatcher(fallback: 60)
        let swap = Task { await Self.within(30) { await watcher.waitForSwap(port) } }
        await Self.expectPending(watcher, [PortWatcher.PendingWait(port: port, exists: false)])
        try FileManager.default.removeItem(atPath: port)
        await Self.expectPending(watcher, [PortWatcher.PendingWait(port: port, exists: true)])
        #expect(FileManager.default.createFile(atPath: port, contents: nil))
        #expect(await swap.value == true)
    }

    @Test func aPortBehindASymbolicLinkIsSeenWhenItsTargetAppears() async throws {
        let links = try Self.scratch(), targets = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: links); try? FileManager.default.removeItem(at: targets) }
        let target = targets.appendingPathComponent("ttyACM3").path
        let link = links.appendingPathComponent("station-slot-1").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let watcher = PortWatcher(fallback: 60)
        let appeared = Task { await Self.within(30) { await watcher.wait(until: true, link) } }
        await Self.expectPending(watcher, [PortWatcher.PendingWait(port: link, exists: true)])
        #expect(FileManager.default.createFile(atPath: target, contents: nil))
        #expect(await appeared.value == true)
    }

    @Test func aNodeInAFolderThatDidNotExistIsFoundByTheFallbackCheck() async throws {
        // /dev/serial/by-id/ exists only once a device was plugged in: no folder, nothing to watch.
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("by-id")
        let node = folder.appendingPathComponent("usb-Particle_Argon-if00").path
        let watcher = PortWatcher(fallback: 0.1)
        let waiting = Task { await Self.within(30) { await watcher.wait(until: true, node) } }
        await Self.expectPending(watcher, [PortWatcher.PendingWait(port: node, exists: true)])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: node, contents: nil))
        #expect(await waiting.value == true)
    }

    @Test func aWaitCancelledBeforeItStartsEndsWithFalse() async throws {
        let watcher = PortWatcher(fallback: 60)
        let wait = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await watcher.wait(until: true, "/dev/particlectl-no-such-port")
        }
        #expect(await wait.value == false)
        #expect(watcher.pending.isEmpty)
    }
}
