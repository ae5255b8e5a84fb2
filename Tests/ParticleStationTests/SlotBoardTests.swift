import Testing
@testable import ParticleStation

/// The station's bookkeeping of slots: what starts, what waits, when the run is over.
@Suite struct SlotBoardTests {
    @Test func devicesBeyondTheConcurrencyWaitForAFreeSlotInArrivalOrder() {
        var board = SlotBoard(concurrency: 2, count: nil)
        for slot in ["1-1.1", "1-1.2", "1-1.3", "1-1.4"] { board.arrived(slot: slot, port: "/dev/\(slot)") }
        let first = board.startable().map(\.0)
        #expect(first == ["1-1.1", "1-1.2"])
        for slot in first { board.running[slot] = Task {} }
        #expect(board.startable().isEmpty)
        var summary = StationSummary()
        board.finished(slot: "1-1.2", result: .provisioned, into: &summary)
        #expect(board.startable().map(\.0) == ["1-1.3"])
        #expect(summary.provisioned == 1)
    }

    @Test func aSlotAlreadyRunningOrWaitingIsNotTakenTwice() {
        var board = SlotBoard(concurrency: 1, count: nil)
        board.arrived(slot: "a", port: "/dev/a")
        board.arrived(slot: "b", port: "/dev/b")
        board.arrived(slot: "b", port: "/dev/b")
        #expect(board.startable().map(\.0) == ["a"])
        board.running["a"] = Task {}
        board.arrived(slot: "a", port: "/dev/a")
        #expect(board.waiting.map(\.slot) == ["b"])
    }

    @Test func countLimitsWhatIsTakenAndEndsTheRunWhenTheLastFinishes() {
        var board = SlotBoard(concurrency: 16, count: 2)
        for slot in ["a", "b", "c"] { board.arrived(slot: slot, port: "/dev/\(slot)") }
        let started = board.startable().map(\.0)
        #expect(started == ["a", "b"])
        for slot in started { board.running[slot] = Task {} }
        #expect(!board.isDone)
        var summary = StationSummary()
        board.finished(slot: "a", result: .failed, into: &summary)
        #expect(!board.isDone)
        board.finished(slot: "b", result: .skipped, into: &summary)
        #expect(board.isDone)
        #expect(summary.failed == 1 && summary.skipped == 1 && summary.finished == 2)
    }

    @Test func withoutCountTheRunGoesOnUntilTheIntakeCloses() {
        var board = SlotBoard(concurrency: 4, count: nil)
        #expect(!board.isDone)
        board.closeIntake()
        #expect(board.isDone)
    }

    @Test func anUnpluggedWaitingDeviceLeavesTheQueueAndARunningOneIsCancelled() async {
        var board = SlotBoard(concurrency: 1, count: nil)
        board.arrived(slot: "a", port: "/dev/a")
        board.arrived(slot: "b", port: "/dev/b")
        _ = board.startable()
        let running = Task { _ = try? await Task.sleep(nanoseconds: 60_000_000_000) }
        board.running["a"] = running
        let waitingLeft = board.departed(slot: "b")
        #expect(waitingLeft)
        #expect(board.waiting.isEmpty)
        let runningLeft = board.departed(slot: "a")
        #expect(runningLeft)
        #expect(running.isCancelled)
        let unknownLeft = board.departed(slot: "zz")
        #expect(!unknownLeft)
    }
}
