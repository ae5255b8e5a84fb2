// Names from one sequence per template, on both back-ends: SQLite allocates in its write transaction, PostgreSQL in
// one call of the ledger's function `particlectl_allocate_name` (migration v3-name-allocation). Same outcomes.
import Foundation
import ParticleCore
import Testing
@testable import ParticleLedger

@Suite("Ledger: names on both back-ends")
struct LedgerNameTests {
    /// A ledger with `count` devices attached (IDs from `prefix`), and their IDs.
    static func ledger(_ backend: Backend, devices count: Int,
                       prefix: String = "e00fce68a1b2c3d4e5f6") async throws -> (FreshLedger, Ledger, [String]) {
        let fresh = try await FreshLedger.make(backend)
        let ledger = try await fresh.open()
        var ids: [String] = []
        for index in 0..<count {
            let id = prefix + String(format: "%04x", index)
            let attempt = try await ledger.beginAttempt(start)
            _ = try await ledger.attach(attempt: attempt, deviceID: try #require(DeviceID(id)), identity: DeviceIdentity())
            ids.append(id)
        }
        return (fresh, ledger, ids)
    }

    @Test("a sequence per template, a resumed device keeps its name, taken names are passed over",
          arguments: Backend.allCases)
    func names(_ backend: Backend) async throws {
        let (_, ledger, ids) = try await Self.ledger(backend, devices: 3)
        let render: @Sendable (Int) throws -> String = { String(format: "widget-%05d", $0) }
        var issued: [String] = []
        for id in ids { issued.append(try await ledger.allocateName(deviceID: id, template: "widget-{seq:05}", render: render)) }
        #expect(issued == ["widget-00001", "widget-00002", "widget-00003"])
        // Resumed: the same name again.
        #expect(try await ledger.allocateName(deviceID: ids[1], template: "widget-{seq:05}", render: render) == "widget-00002")
        // Another template whose rendering collides with an issued name: the next free number.
        let other = try await ledger.allocateName(deviceID: ids[0], template: "widget-{seq}",
                                                  render: { String(format: "widget-%05d", $0 + 2) })
        #expect(other == "widget-00004")
        // A render error comes out unchanged and issues nothing.
        await #expect(throws: UserError(.usage, "bad name")) {
            _ = try await ledger.allocateName(deviceID: ids[2], template: "bad",
                                              render: { _ in throw UserError(.usage, "bad name") })
        }
        // A template without a sequence cannot issue a second name.
        await #expect(throws: UserError(.usage, "the name template fixed gives the name widget-00001, already issued, "
                                        + "for every number; put {seq} in it")) {
            _ = try await ledger.allocateName(deviceID: ids[2], template: "fixed", render: { _ in "widget-00001" })
        }
        // …but its one name is issued when it is free.
        #expect(try await ledger.allocateName(deviceID: ids[2], template: "solo", render: { _ in "the-only-one" })
                == "the-only-one")
        let unknown = await ledgerError {
            _ = try await ledger.allocateName(deviceID: "ffffffffffffffffffffffff", template: "t", render: render)
        }
        #expect(unknown?.kind == .unknownRecord)
        await ledger.close()
    }

    @Test("more taken names than one batch of candidates are passed over", arguments: Backend.allCases)
    func manyTakenNames(_ backend: Backend) async throws {
        let (_, ledger, ids) = try await Self.ledger(backend, devices: 102)
        // 100 names n-1 … n-100 taken under one template, then another template rendering the same names.
        for id in ids.prefix(100) {
            _ = try await ledger.allocateName(deviceID: id, template: "a-{seq}", render: { "n-\($0)" })
        }
        #expect(try await ledger.allocateName(deviceID: ids[100], template: "b-{seq}", render: { "n-\($0)" }) == "n-101")
        #expect(try await ledger.allocateName(deviceID: ids[101], template: "b-{seq}", render: { "n-\($0)" }) == "n-102")
        await ledger.close()
    }

    @Test("a render error after the first number stands once the names before it are taken",
          arguments: Backend.allCases)
    func renderErrorAfterTakenNames(_ backend: Backend) async throws {
        let (_, ledger, ids) = try await Self.ledger(backend, devices: 3)
        _ = try await ledger.allocateName(deviceID: ids[0], template: "a", render: { "x-\($0)" })  // x-1
        // "b" renders x-1 (taken), then fails at 2: the error, as number by number.
        let render: @Sendable (Int) throws -> String = { number in
            guard number < 2 else { throw UserError(.usage, "no number \(number)") }
            return "x-\(number)"
        }
        await #expect(throws: UserError(.usage, "no number 2")) {
            _ = try await ledger.allocateName(deviceID: ids[1], template: "b", render: render)
        }
        // Under "c" the error is at 3 and x-2 is free: it is issued before the error is reached.
        #expect(try await ledger.allocateName(deviceID: ids[1], template: "c", render: { number in
            guard number < 3 else { throw UserError(.usage, "no number \(number)") }
            return "x-\(number)"
        }) == "x-2")
        await ledger.close()
    }

    @Test("16 concurrent allocations give 16 distinct names, 1…16", arguments: Backend.allCases)
    func concurrentNames(_ backend: Backend) async throws {
        let (_, ledger, ids) = try await Self.ledger(backend, devices: 16, prefix: "0a0a0a0a0a0a0a0a0a0a")
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for id in ids {
                group.addTask { try await ledger.allocateName(deviceID: id, template: "w-{seq}", render: { "w-\($0)" }) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(names) == Set((1...16).map { "w-\($0)" }))
        await ledger.close()
    }

    @Test("PostgreSQL: a stale guess costs one more call, then the guess is right")
    func staleGuess() async throws {
        let (fresh, first, ids) = try await Self.ledger(.postgres, devices: 80)
        for id in ids.prefix(70) {
            _ = try await first.allocateName(deviceID: id, template: "s-{seq}", render: { "s-\($0)" })
        }
        // A second station's ledger has never seen the template: it guesses 0, and 1…64 are all below the top.
        let second = try await fresh.open()
        var mark = second.roundTrips ?? 0
        #expect(try await second.allocateName(deviceID: ids[70], template: "s-{seq}", render: { "s-\($0)" }) == "s-71")
        #expect((second.roundTrips ?? 0) - mark == 2)
        mark = second.roundTrips ?? 0
        #expect(try await second.allocateName(deviceID: ids[71], template: "s-{seq}", render: { "s-\($0)" }) == "s-72")
        #expect((second.roundTrips ?? 0) - mark == 1)
        // The first station's guess (70) is stale by two: the function skips the candidates at or below the top.
        mark = first.roundTrips ?? 0
        #expect(try await first.allocateName(deviceID: ids[72], template: "s-{seq}", render: { "s-\($0)" }) == "s-73")
        #expect((first.roundTrips ?? 0) - mark == 1)
        await first.close()
        await second.close()
    }

    @Test("PostgreSQL: names with quotes, backslashes, commas and braces pass through the array literal intact")
    func oddCharacters() async throws {
        let (_, ledger, ids) = try await Self.ledger(.postgres, devices: 4)
        let odd = [#"a"b-1"#, #"c\d-2"#, "e,f-3", "{g} 'h' NULL-4"]
        for (index, id) in ids.enumerated() {
            let name = try await ledger.allocateName(deviceID: id, template: "odd-\(index)", render: { _ in odd[index] })
            #expect(name == odd[index])
        }
        #expect(LedgerOperations.arrayElement(#"a"b\c"#) == #""a\"b\\c""#)
        await ledger.close()
    }
}
