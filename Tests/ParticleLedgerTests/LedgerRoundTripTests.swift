// What each ledger operation costs on PostgreSQL (statements sent, each one round trip, counted by the lanes), and
// the operations that now share one transaction: checked on the rows' transaction IDs (xmin) by the server itself.
import Foundation
import ParticleCore
import Testing
@testable import ParticleLedger

@Suite("Ledger: round trips on PostgreSQL")
struct LedgerRoundTripTests {
    /// Counts the statements a ledger sends from one mark to the next.
    final class Meter {
        let ledger: Ledger
        var mark: Int

        init(_ ledger: Ledger) {
            self.ledger = ledger
            mark = ledger.roundTrips ?? 0
        }

        /// The statements sent since the last call (or since the meter was made).
        func spent() -> Int {
            let now = ledger.roundTrips ?? 0
            defer { mark = now }
            return now - mark
        }
    }

    @Test("a device's calls: begin 1, attach with its identify step 5, a step 1, a name 1, the outcome 1, finish 1")
    func pinnedCosts() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let ledger = try await fresh.open()
        #expect(ledger.roundTrips != nil)
        let meter = Meter(ledger)
        let token = AttemptStart(station: "line-1", slot: "1", profile: "fp", token: "token-rt")
        let attempt = try await ledger.beginAttempt(token)
        #expect(meter.spent() == 1)
        // Again with the same token (a retry after a lost commit): the insert does nothing, one look finds the row.
        #expect(try await ledger.beginAttempt(token) == attempt)
        #expect(meter.spent() == 2)

        let identify = StepRecord(step: "identify", outcome: "done", seconds: 0.5, detail: "argon")
        #expect(try await ledger.attach(attempt: attempt, deviceID: argonID, identity: argon, step: identify) == nil)
        #expect(meter.spent() == 5)  // BEGIN, the lock, one read, one write, COMMIT

        let claim = StepRecord(step: "claim", outcome: "done", seconds: 1.5)
        try await ledger.recordStep(attempt: attempt, claim)
        #expect(meter.spent() == 1)
        // The same record again: nothing inserted, one look to tell a repeat from an unknown attempt.
        try await ledger.recordStep(attempt: attempt, claim)
        #expect(meter.spent() == 2)

        #expect(try await ledger.allocateName(deviceID: argonID.rawValue, template: "rt-{seq}") { "rt-\($0)" } == "rt-1")
        #expect(meter.spent() == 1)  // one call of particlectl_allocate_name
        try await ledger.update(deviceID: argonID.rawValue, DeviceOutcome(name: "rt-1", firmwareVerified: true))
        #expect(meter.spent() == 1)
        try await ledger.finish(attempt: attempt, status: .provisioned, failedStep: nil, error: nil,
                                outcome: DeviceOutcome(owner: "me@example.com", firmware: "tinker"))
        #expect(meter.spent() == 1)

        let record = try await ledger.record(attempt: attempt)
        #expect(record.steps == [identify, claim])
        #expect(record.attempt.status == .provisioned)
        #expect(record.device?.status == .provisioned)
        #expect(record.device?.name == "rt-1")
        #expect(record.device?.owner == "me@example.com")
        #expect(record.device?.firmware == "tinker")
        #expect(record.device?.firmwareVerified == true)
        #expect(record.device?.finishedAt == record.attempt.finishedAt)
        #expect(try await fresh.count("SELECT COUNT(*) FROM names") == 1)
        await ledger.close()
    }

    @Test("the claim and its identify step are one transaction; each later step is a transaction of its own")
    func transactions() async throws {
        let fresh = try await FreshLedger.make(.postgres)
        let server = try #require(fresh.server)
        let database = try #require(fresh.database)
        let ledger = try await fresh.open()
        let attempt = try await ledger.beginAttempt(AttemptStart(station: "line-1", slot: "1", profile: "fp"))
        _ = try await ledger.attach(attempt: attempt, deviceID: argonID, identity: argon,
                                    step: StepRecord(step: "identify", outcome: "done", seconds: 0.5))
        func xmin(_ sql: String) async throws -> String { try await server.sql(sql, database: database) }
        // xmin: the transaction that wrote the row's current version.
        let claim = try await xmin("SELECT xmin FROM devices")
        #expect(try await xmin("SELECT xmin FROM attempts") == claim)
        #expect(try await xmin("SELECT xmin FROM steps WHERE ordinal = 1") == claim)
        for step in ["claim", "configure", "name"] {
            try await ledger.recordStep(attempt: attempt, StepRecord(step: step, outcome: "done", seconds: 1))
        }
        try await ledger.finish(attempt: attempt, status: .failed, failedStep: "online", error: "offline")
        #expect(try await xmin("SELECT COUNT(DISTINCT xmin::text) FROM steps") == "4")
        // finish: the attempt and the device updated by one statement, one transaction.
        #expect(try await xmin("SELECT COUNT(DISTINCT xmin::text) FROM (SELECT xmin FROM attempts UNION ALL "
                               + "SELECT xmin FROM devices) AS rows") == "1")
        #expect(try await xmin("SELECT status || ' ' || last_error FROM devices") == "failed offline")
        #expect(try await xmin("SELECT status || ' ' || failed_step || ' ' || error FROM attempts")
                == "failed online offline")
        await ledger.close()
    }
}

@Suite("Ledger: attach with the identify step, on both back-ends")
struct LedgerAttachStepTests {
    @Test("attach records the step; run again it adds nothing; a busy device records none", arguments: Backend.allCases)
    func attachWithStep(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let one = try await fresh.open()
        let two = try await fresh.open()
        let identify = StepRecord(step: "identify", outcome: "done", seconds: 0.25, detail: "argon (Device OS 6.1.1)")
        let a = try await one.beginAttempt(AttemptStart(station: "line-1", slot: "1", profile: "fp"))
        #expect(try await one.attach(attempt: a, deviceID: argonID, identity: argon, step: identify) == nil)
        #expect(try await one.attach(attempt: a, deviceID: argonID, identity: argon, step: identify) == nil)
        #expect(try await one.record(attempt: a).steps == [identify])
        #expect(try await one.device(argonID.rawValue)?.lastAttempt == a)

        let b = try await two.beginAttempt(AttemptStart(station: "line-2", slot: "9", profile: "fp"))
        let busy = await ledgerError {
            _ = try await two.attach(attempt: b, deviceID: argonID, identity: argon, step: identify)
        }
        #expect(busy?.kind == .deviceBusy)
        #expect(try await two.record(attempt: b).steps == [])
        #expect(try await two.record(attempt: b).attempt.status == .skipped)
        #expect(try await fresh.count("SELECT COUNT(*) FROM steps") == 1)

        // An attempt the ledger does not have: refused, nothing recorded.
        let unknown = await ledgerError {
            _ = try await one.attach(attempt: 999, deviceID: argonID, identity: argon, step: identify)
        }
        #expect(unknown?.kind == .unknownRecord)
        #expect(unknown?.message == "the ledger \(one.path) has no attempt 999")
        let missingStep = await ledgerError {
            try await one.recordStep(attempt: 999, identify)
        }
        #expect(missingStep?.message == "the ledger \(one.path) has no attempt 999")
        #expect(try await fresh.count("SELECT COUNT(*) FROM steps") == 1)
        await one.close()
        await two.close()
    }

    @Test("finish with the outcome records both in one write; a device another attempt took gets the outcome only",
          arguments: Backend.allCases)
    func finishWithOutcome(_ backend: Backend) async throws {
        let fresh = try await FreshLedger.make(backend)
        let ledger = try await fresh.open()
        let a = try await ledger.beginAttempt(AttemptStart(station: "line-1", slot: "1", profile: "fp"))
        _ = try await ledger.attach(attempt: a, deviceID: argonID, identity: argon)
        try await ledger.finish(attempt: a, status: .provisioned, failedStep: nil, error: nil,
                                outcome: DeviceOutcome(name: "w-1", product: "42", firmwareVerified: false))
        var device = try #require(try await ledger.device(argonID.rawValue))
        #expect(device.status == .provisioned)
        #expect(device.name == "w-1")
        #expect(device.product == "42")
        #expect(device.firmwareVerified == false)
        #expect(device.lastError == nil)
        #expect(device.finishedAt != nil)

        // b is interrupted by c taking the device (same station, another slot); b's outcome still lands, its status not.
        let b = try await ledger.beginAttempt(AttemptStart(station: "line-1", slot: "2", profile: "fp"))
        _ = try await ledger.attach(attempt: b, deviceID: argonID, identity: argon)
        let c = try await ledger.beginAttempt(AttemptStart(station: "line-1", slot: "3", profile: "fp"))
        _ = try await ledger.attach(attempt: c, deviceID: argonID, identity: argon)
        try await ledger.finish(attempt: b, status: .failed, failedStep: "flash", error: "unplugged",
                                outcome: DeviceOutcome(firmware: "tinker"))
        device = try #require(try await ledger.device(argonID.rawValue))
        #expect(device.status == .inProgress)
        #expect(device.lastAttempt == c)
        #expect(device.lastError == nil)
        #expect(device.firmware == "tinker")
        #expect(device.name == "w-1")
        #expect(try await ledger.record(attempt: b).attempt.status == .failed)
        #expect(try await ledger.record(attempt: b).attempt.error == "unplugged")

        let unknown = await ledgerError {
            try await ledger.finish(attempt: 999, status: .provisioned, failedStep: nil, error: nil,
                                    outcome: DeviceOutcome(name: "x"))
        }
        #expect(unknown?.message == "the ledger \(ledger.path) has no attempt 999")
        #expect(try await fresh.count("SELECT COUNT(*) FROM devices WHERE name = 'x'") == 0)
        await ledger.close()
    }
}
