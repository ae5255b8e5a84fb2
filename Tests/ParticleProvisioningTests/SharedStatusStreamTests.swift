import Foundation
import ParticleCloud
import ParticleCore
import ParticleProvisioning
import ParticleSimulators
import Testing

/// Many provisioning runs (a station's slots) on one `spark` event stream: one connection, each run its own events.
@Suite("Shared status stream (scripted devices, fake cloud)")
struct SharedStatusStreamTests {
    let helper = ProvisionerTests()

    @Test func fourRunsAtOnceShareOneConnectionAndEachSeesItsDeviceOnline() async throws {
        try await helper.withCloud { cloud, client in
            let shared = SharedStatusStream(cloud: client, product: nil)
            let ids = (1...4).map { "e00fce68a1b2c3d4e5f6071\($0)" }
            let summaries = try await withThrowingTaskGroup(of: ProvisioningSummary.self) { group in
                for id in ids {
                    let link = ScriptedLink(cloud: cloud, id: id, joinDelay: 0.2)
                    var provisioner = helper.provisioner(client, link, helper.plan())
                    // Polls far apart: the event stream is what finds them online.
                    provisioner.pollInterval = 30
                    provisioner.maximumPollInterval = 30
                    provisioner.statusStream = shared
                    group.addTask { try await provisioner.run { _ in } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(summaries.compactMap(\.deviceID)) == Set(ids))
            for summary in summaries {
                #expect(summary.steps.first { $0.step == .waitOnline }?.detail == "online (spark/status event)")
            }
            #expect(await shared.connections == 1)
            let streams = await cloud.recordedRequests().filter { $0.path.contains("/events") }
            #expect(streams.count == 1, "\(streams.map(\.path))")
            await shared.shutdown()
        }
    }

    @Test func eachStepIsHandedToTheRecorderBeforeTheNextStarts() async throws {
        try await helper.withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var provisioner = helper.provisioner(client, link, helper.plan(name: "bench-9"))
            let log = StepLog()
            provisioner.stepFinished = { report in
                await log.append("recorded \(report.step.rawValue)")
            }
            _ = try await provisioner.run { event in
                if case .started(let step) = event { Task { await log.append("started \(step.rawValue)") } }
            }
            let recorded = await log.entries.filter { $0.hasPrefix("recorded") }
            #expect(recorded == ["recorded validate", "recorded identify", "recorded check-cloud", "recorded claim-code",
                                 "recorded configure", "recorded connect", "recorded wait-online", "recorded verify-owner",
                                 "recorded rename"])
        }
    }

    @Test func aRecorderThatFailsStopsTheRunAtThatStep() async throws {
        try await helper.withCloud { cloud, client in
            let link = ScriptedLink(cloud: cloud)
            var provisioner = helper.provisioner(client, link, helper.plan())
            provisioner.stepFinished = { report in
                if report.step == .checkCloud { throw UserError(.io, "ledger: disk full") }
            }
            let error = try await helper.failure { try await provisioner.run { _ in } }
            #expect(error.step == .checkCloud)
            #expect(error.cause == "ledger: disk full")
            // Nothing was written to the device after the step that could not be recorded.
            #expect(link.recorded == ["identify"])
        }
    }
}

actor StepLog {
    var entries: [String] = []
    func append(_ entry: String) { entries.append(entry) }
}
