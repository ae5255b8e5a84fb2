import Foundation
import Glibc

/// Waits on the device nodes of a station's fixed ports (`--port`), for every slot at once: one thread, asleep in
/// poll(2) on an inotify descriptor that watches the ports' folders, so that a station idle on 64 ports costs
/// nothing between swaps. A wait ends with true when its node exists (or is gone, as asked), with false as soon as
/// its task is cancelled. A check of every waiting port each `fallback` seconds covers what inotify cannot report
/// (a file system without notifications, a symbolic link whose target moved to a folder nobody watches).
///
/// The thread runs only while somebody waits; it ends by itself when the last wait ended.
final class PortWatcher: @unchecked Sendable {
    private struct Waiter {
        let port: String
        let exists: Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private let fallbackMilliseconds: Int32
    private let notifications: Int32   // inotify descriptor, -1 when the kernel refused one
    private let wakeup: [Int32]        // a pipe: a new wait was registered (read end, write end)

    private let lock = NSLock()
    private var waiters: [UInt64: Waiter] = [:]
    private var cancelledEarly: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var watchedFolders: Set<String> = []
    private var threadRunning = false

    init(fallback: Double) {
        fallbackMilliseconds = Int32(min(max(fallback, 0.05), 60) * 1000)
        notifications = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeup = ends
    }

    deinit {
        if notifications >= 0 { close(notifications) }
        for end in wakeup where end >= 0 { close(end) }
    }

    /// A wait in progress: the port, and whether it waits for the node to exist or to be gone.
    struct PendingWait: Hashable, Comparable, Sendable {
        var port: String
        var exists: Bool
        static func < (a: Self, b: Self) -> Bool { (a.port, a.exists ? 1 : 0) < (b.port, b.exists ? 1 : 0) }
    }

    /// The waits in progress, sorted (tests use it to change a node only once its wait is registered).
    var pending: [PendingWait] {
        lock.withLock { waiters.values.map { PendingWait(port: $0.port, exists: $0.exists) } }.sorted()
    }

    static func exists(_ port: String) -> Bool { access(port, F_OK) == 0 }

    /// Waits until the port's node exists (`exists: true`) or is gone; false when the task is cancelled first.
    func wait(until exists: Bool, _ port: String) async -> Bool {
        if Task.isCancelled { return false }
        if Self.exists(port) == exists { return true }
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let startThread = lock.withLock { () -> Bool? in
                    if cancelledEarly.remove(id) != nil { return nil }
                    watchFolders(of: port)
                    waiters[id] = Waiter(port: port, exists: exists, continuation: continuation)
                    defer { threadRunning = true }
                    return !threadRunning
                }
                guard let startThread else {
                    continuation.resume(returning: false)
                    return
                }
                if startThread {
                    let thread = Thread { [self] in run() }
                    thread.name = "station-ports"
                    thread.start()
                } else {
                    wake() // the thread checks the new wait at once: the node may have changed meanwhile
                }
            }
        } onCancel: {
            let waiter = lock.withLock { () -> Waiter? in
                guard let waiter = waiters.removeValue(forKey: id) else {
                    cancelledEarly.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Waits for the port's node to go away and come back (a device swapped for another); false when cancelled.
    func waitForSwap(_ port: String) async -> Bool {
        guard await wait(until: false, port) else { return false }
        return await wait(until: true, port)
    }

    // MARK: - The thread

    private func run() {
        while true {
            let (ready, done) = lock.withLock { () -> ([Waiter], Bool) in
                let ready = waiters.filter { Self.exists($0.value.port) == $0.value.exists }
                for id in ready.keys { waiters.removeValue(forKey: id) }
                if waiters.isEmpty { threadRunning = false }
                return (Array(ready.values), waiters.isEmpty)
            }
            for waiter in ready { waiter.continuation.resume(returning: true) }
            if done { return }
            var descriptors = [pollfd(fd: notifications, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wakeup[0], events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, nfds_t(descriptors.count), fallbackMilliseconds)
            drain(notifications)
            drain(wakeup[0])
        }
    }

    /// Watches the folder of the port and, for a symbolic link, the folder of its target (called under the lock).
    private func watchFolders(of port: String) {
        guard notifications >= 0 else { return }
        var folders = [(port as NSString).deletingLastPathComponent]
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: port) {
            let absolute = target.hasPrefix("/") ? target : folders[0] + "/" + target
            folders.append((absolute as NSString).deletingLastPathComponent)
        }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)
        for folder in folders where !folder.isEmpty && !watchedFolders.contains(folder) {
            if inotify_add_watch(notifications, folder, mask) >= 0 { watchedFolders.insert(folder) }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeup[1], &byte, 1)
    }

    private func drain(_ descriptor: Int32) {
        guard descriptor >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(descriptor, &buffer, buffer.count) > 0 {}
    }
}
