import Foundation
import Glibc
import Testing

/// `particlectl station run` and `station report` end to end against `particlectl sim station` (simulated devices on
/// ptys, the fake cloud), through the built executables.
@Suite("Factory station (simulated hub)")
struct StationTests {
    static let eventKeys: Set<String> = ["time", "slot", "port", "device_id", "step", "outcome", "seconds", "detail", "error"]

    private func slot(_ port: String) -> String { port.hasPrefix("/dev/") ? String(port.dropFirst(5)) : port }

    private func reportDevices(_ world: StationWorldFixture) async throws -> [[String: Any]] {
        let report = try await world.particlectl(["station", "report", "--ledger", world.ledger, "--format", "json"])
        #expect(report.status == 0, "stderr: \(report.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any] ?? [:]
        return object["devices"] as? [[String: Any]] ?? []
    }

    @Test func everyDeviceIsProvisionedConcurrentlyAndEveryStepIsRecorded() async throws {
        let world = try await StationWorldFixture(devices: 4)
        let run = try await world.particlectl(world.stationArguments(["--count", "4", "--json"]))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let events = try StationEvents(run.stdout)
        for event in events.events { #expect(Set(event.keys) == Self.eventKeys) }
        let results = events.results
        #expect(Set(results.keys) == Set(world.ports.map(slot)))
        #expect(results.values.allSatisfy { $0["outcome"] as? String == "provisioned" })
        #expect(Set(results.values.compactMap { $0["device_id"] as? String }) == Set(world.devices.map(\.deviceID)))

        // The slots worked at once: several were waiting for their device to come online before the first ended.
        let firstEnd = try #require(events.events.firstIndex { $0["step"] as? String == "result" })
        let waitingBeforeFirstEnd = Set(events.events[..<firstEnd]
            .filter { $0["step"] as? String == "wait-online" && $0["outcome"] as? String == "started" }
            .compactMap { $0["slot"] as? String })
        #expect(waitingBeforeFirstEnd.count >= 2, "stdout: \(run.stdout)")

        // Each slot's steps, in order, each once.
        for port in world.ports {
            let steps = events.matching(slot: slot(port)).filter { ["done", "skipped"].contains($0["outcome"] as? String) }
                .compactMap { $0["step"] as? String }
            #expect(steps == ["identify", "validate", "check-cloud", "claim-code", "configure", "connect", "wait-online",
                              "verify-owner", "rename"], "slot \(port)")
        }
        let last = try #require(events.events.last)
        #expect(last["step"] as? String == "station" && last["outcome"] as? String == "finished")

        // The ledger: four devices, provisioned, four distinct names from the sequence, the station's name.
        let devices = try await reportDevices(world)
        #expect(devices.count == 4)
        #expect(devices.allSatisfy { $0["status"] as? String == "provisioned" })
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["widget-001", "widget-002", "widget-003", "widget-004"])
        #expect(devices.allSatisfy { $0["station"] as? String == "bench-a" })
        #expect(!run.stdout.contains(world.password) && !run.stderr.contains(world.password))
    }

    @Test func aSilentDeviceFailsItsOwnSlotAndNoOther() async throws {
        let world = try await StationWorldFixture(devices: 3, faults: ["2=silent"])
        let run = try await world.particlectl(world.stationArguments(["--count", "3", "--identify-timeout", "4", "--json"]))
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let results = try StationEvents(run.stdout).results
        let silent = try #require(results[slot(world.ports[1])])
        #expect(silent["outcome"] as? String == "failed")
        #expect(silent["detail"] as? String == "at identify")
        #expect((silent["error"] as? String ?? "").contains("did not enter listening mode within 4s"), "error: \(silent["error"] ?? "")")
        #expect(results[slot(world.ports[0])]?["outcome"] as? String == "provisioned")
        #expect(results[slot(world.ports[2])]?["outcome"] as? String == "provisioned")
        // One line on stderr saying what happened and where to look.
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("1 failed and 0 interrupted of 3 device(s)"), "stderr: \(run.stderr)")
    }

    @Test func aWrongWiFiPasswordFailsAtWaitOnlineWithTheReason() async throws {
        let world = try await StationWorldFixture(devices: 2, faults: ["1=wrong-wifi"])
        let run = try await world.particlectl(world.stationArguments(["--count", "2", "--online-timeout", "2", "--json"]))
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let results = try StationEvents(run.stdout).results
        let wrong = try #require(results[slot(world.ports[0])])
        #expect(wrong["detail"] as? String == "at wait-online")
        #expect((wrong["error"] as? String ?? "").contains("did not come online within 2 s"))
        #expect(results[slot(world.ports[1])]?["outcome"] as? String == "provisioned")
    }

    @Test func aDeviceAlreadyProvisionedIsRecognisedOnSightUnlessReprovisioned() async throws {
        let world = try await StationWorldFixture(devices: 2)
        let first = try await world.particlectl(world.stationArguments(["--count", "2", "--json"]))
        #expect(first.status == 0, "stderr: \(first.stderr)")

        let again = try await world.particlectl(world.stationArguments(["--count", "2", "--json"]))
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let skipped = try StationEvents(again.stdout).results
        #expect(skipped.values.allSatisfy { $0["outcome"] as? String == "skipped" })
        #expect(skipped.values.allSatisfy { ($0["detail"] as? String ?? "").contains("already provisioned at ") })
        #expect(skipped.values.allSatisfy { ($0["detail"] as? String ?? "").contains("by bench-a") })

        let redo = try await world.particlectl(world.stationArguments(["--count", "2", "--reprovision", "--json"]))
        #expect(redo.status == 0, "stderr: \(redo.stderr)")
        #expect(try StationEvents(redo.stdout).results.values.allSatisfy { $0["outcome"] as? String == "provisioned" })
        // A device keeps the name it was given: no new names were issued.
        let devices = try await reportDevices(world)
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["widget-001", "widget-002"])
    }

    @Test func sigkillMidRunThenRestartLosesNothingAndIssuesNoNameTwice() async throws {
        // Device 1 never comes online (wrong Wi-Fi): with a long online timeout its slot is surely in flight.
        let world = try await StationWorldFixture(devices: 3, faults: ["1=wrong-wifi"])
        let station = try BackgroundTool(ToolRunner.particlectl,
                                         world.stationArguments(["--count", "3", "--online-timeout", "120", "--json"]),
                                         environment: world.environment)
        let stuck = slot(world.ports[0])
        _ = try await station.line(timeout: 60) { $0.contains("\"slot\":\"\(stuck)\"") && $0.contains("\"step\":\"wait-online\"") && $0.contains("\"outcome\":\"started\"") }
        // Wait for the other two to finish, then kill the station without warning.
        for port in world.ports.dropFirst() {
            _ = try await station.line(timeout: 60) { $0.contains("\"slot\":\"\(slot(port))\"") && $0.contains("\"step\":\"result\"") }
        }
        station.send(SIGKILL)
        #expect(await station.waitForExit(timeout: 10) != nil)

        let before = try await reportDevices(world)
        #expect(before.first { $0["device_id"] as? String == world.devices[0].deviceID }?["status"] as? String == "in_progress")

        // Restart: the attempt left in progress is marked interrupted and the device resumes; the two done are skipped.
        let restart = try await world.particlectl(world.stationArguments(["--count", "3", "--online-timeout", "2", "--json"]))
        let events = try StationEvents(restart.stdout)
        #expect(events.matching(step: "ledger", outcome: "note").contains { ($0["detail"] as? String ?? "").hasPrefix("1 attempt(s) left in progress") },
                "stdout: \(restart.stdout)")
        let results = events.results
        #expect(results[slot(world.ports[1])]?["outcome"] as? String == "skipped")
        #expect(results[slot(world.ports[2])]?["outcome"] as? String == "skipped")
        #expect(results[stuck]?["outcome"] as? String == "failed")

        let after = try await reportDevices(world)
        #expect(after.count == 3)
        #expect(!after.contains { $0["status"] as? String == "in_progress" })
        let names = after.compactMap { $0["name"] as? String }
        #expect(Set(names).count == names.count)
        #expect(Set(names).isSubset(of: ["widget-001", "widget-002", "widget-003"]))
    }

    @Test func aProfileWithATypoIsExit2NamingTheKey() async throws {
        let world = try await StationWorldFixture(devices: 1)
        let profile = try world.write("station.yaml", "wifi:\n  sside: Line3\n")
        let run = try await world.particlectl(["station", "run", "--profile", profile, "--ledger", world.ledger,
                                               "--port", world.ports[0], "--count", "1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("wifi.sside") && run.stderr.contains("wifi.ssid"), "stderr: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: world.ledger))
    }

    @Test func aWiFiSecretFileReadableByOthersIsRefusedBeforeAnythingStarts() async throws {
        let world = try await StationWorldFixture(devices: 1)
        let secret = try world.write("line3.psk", world.password + "\n", mode: 0o644)
        let run = try await world.particlectl(["station", "run", "--ledger", world.ledger, "--ssid", world.ssid,
                                               "--password-file", secret, "--port", world.ports[0], "--count", "1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("0644") && run.stderr.contains("chmod 600"), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: world.ledger))
        #expect(!run.stderr.contains(world.password))
    }

    @Test func aLedgerThatCannotBeCreatedStopsTheStationBeforeAnyDeviceIsTouched() async throws {
        let world = try await StationWorldFixture(devices: 1)
        let blocker = try world.write("not-a-folder", "")
        let run = try await world.particlectl(["station", "run", "--ledger", blocker + "/station.sqlite",
                                               "--ssid", world.ssid, "--password-env", "LINE_WIFI_PASSWORD",
                                               "--port", world.ports[0], "--count", "1"])
        #expect(run.status != 0 && run.status != 1)
        #expect(run.stderr.contains(blocker), "stderr: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        let claims = try world.recordedRequests().filter { ($0["path"] as? String ?? "").contains("device_claims") }
        #expect(claims.isEmpty)
    }

    @Test func hooksGetTheRecordOnStdinAndAFailingHookIsRecordedNotFatal() async throws {
        let world = try await StationWorldFixture(devices: 2, faults: ["2=silent"])
        let done = world.folder.appendingPathComponent("done").path
        let run = try await world.particlectl(world.stationArguments([
            "--count", "2", "--identify-timeout", "4", "--json",
            "--on-done", "cat > '\(done)'-$PARTICLE_DEVICE_ID.json",
            "--on-failed", "echo 'light tower offline' >&2; exit 3",
        ]))
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let events = try StationEvents(run.stdout)
        let record = try String(contentsOfFile: "\(done)-\(world.devices[0].deviceID).json", encoding: .utf8)
        #expect(record.contains(world.devices[0].deviceID))
        #expect(!record.contains(world.password))
        let failedHook = try #require(events.matching(step: "hook", outcome: "failed", slot: slot(world.ports[1])).first)
        #expect(failedHook["error"] as? String == "exited with status 3: light tower offline")
        #expect(events.results[slot(world.ports[1])]?["outcome"] as? String == "failed")
        #expect(events.matching(step: "hook", outcome: "done", slot: slot(world.ports[0])).count == 1)
    }

    @Test func aHookThatHangsIsKilledAtItsTimeout() async throws {
        let world = try await StationWorldFixture(devices: 1)
        let run = try await world.particlectl(world.stationArguments([
            "--count", "1", "--json", "--on-done", "sleep 60", "--hook-timeout", "1",
        ]))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let events = try StationEvents(run.stdout)
        let hook = try #require(events.matching(step: "hook", outcome: "failed").first)
        #expect((hook["error"] as? String ?? "").contains("killed"))
        #expect(events.results.values.first?["outcome"] as? String == "provisioned")
    }

    @Test func aDeviceUnpluggedMidDialogueEndsItsSlotWithTheReason() async throws {
        let world = try await StationWorldFixture(devices: 2, faults: ["1=unplug"])
        let run = try await world.particlectl(world.stationArguments(["--count", "2", "--json"]))
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let results = try StationEvents(run.stdout).results
        let unplugged = try #require(results[slot(world.ports[0])])
        #expect(unplugged["outcome"] as? String == "failed")
        #expect(!(unplugged["error"] as? String ?? "").isEmpty)
        #expect(results[slot(world.ports[1])]?["outcome"] as? String == "provisioned")
    }

    @Test func aRateLimitBurstAcrossSlotsSlowsThemAndEveryDeviceStillFinishes() async throws {
        let world = try await StationWorldFixture(devices: 4)
        let station = try BackgroundTool(ToolRunner.particlectl,
                                         world.stationArguments(["--count", "4", "--retries", "2", "--json"]),
                                         environment: world.environment)
        // The burst arrives while the slots are at work.
        _ = try await station.line(timeout: 60) { $0.contains("\"step\":\"identify\"") && $0.contains("\"outcome\":\"done\"") }
        try world.setFaults(#"{"rate_limits": 4, "retry_after": 1}"#)
        let status = await station.waitForExit(timeout: 90)
        #expect(status == 0, "stdout: \(station.stdoutText)\nstderr: \(station.stderrText)")
        let results = try StationEvents(station.stdoutText).results
        #expect(results.count == 4 && results.values.allSatisfy { $0["outcome"] as? String == "provisioned" })
    }

    @Test func aCloud5xxDuringClaimCodesFailsThoseSlotsWithTheReasonAndARerunFinishesThem() async throws {
        let world = try await StationWorldFixture(devices: 4)
        try world.setFaults(#"{"server_errors": 2, "server_error_status": 503, "server_error_path": "/v1/device_claims"}"#)
        let run = try await world.particlectl(world.stationArguments(["--count", "4", "--retries", "0", "--json"]))
        #expect(run.status == 1, "stderr: \(run.stderr)")
        let events = try StationEvents(run.stdout)
        let failed = events.results.values.filter { $0["outcome"] as? String == "failed" }
        #expect(failed.count == 2, "stdout: \(run.stdout)")
        for result in failed {
            #expect(result["detail"] as? String == "at claim-code")
            #expect((result["error"] as? String ?? "").contains("503"), "\(result)")
        }
        #expect(events.results.values.filter { $0["outcome"] as? String == "provisioned" }.count == 2)
        #expect(run.stderr.contains("2 failed and 0 interrupted of 4 device(s)"))
        let before = try await reportDevices(world)
        #expect(before.filter { $0["status"] as? String == "failed" }.count == 2)
        #expect(before.filter { $0["status"] as? String == "failed" }.allSatisfy {
            ($0["last_error"] as? String ?? "").contains("503")
        })

        // The cloud is back: a rerun provisions the two that failed and skips the two that are done.
        let rerun = try await world.particlectl(world.stationArguments(["--count", "4", "--json"]))
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        let outcomes = try StationEvents(rerun.stdout).results.values.compactMap { $0["outcome"] as? String }
        #expect(outcomes.sorted() == ["provisioned", "provisioned", "skipped", "skipped"])
        let after = try await reportDevices(world)
        #expect(after.count == 4 && after.allSatisfy { $0["status"] as? String == "provisioned" })
        #expect(Set(after.compactMap { $0["name"] as? String }) == ["widget-001", "widget-002", "widget-003", "widget-004"])
    }

    @Test func ownerProductImportsEachDeviceAndLeavesItUnclaimed() async throws {
        let world = try await StationWorldFixture(devices: 2)
        let run = try await world.particlectl(world.stationArguments(
            ["--count", "2", "--product", "widget-fleet", "--owner", "product", "--json"]))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let events = try StationEvents(run.stdout)
        for port in world.ports {
            let slotEvents = events.matching(slot: slot(port))
            #expect(slotEvents.contains { $0["step"] as? String == "import" && $0["outcome"] as? String == "done" })
            #expect(slotEvents.contains {
                $0["step"] as? String == "claim-code" && $0["outcome"] as? String == "skipped"
                    && $0["detail"] as? String == "a product device needs no claim code"
            })
            #expect(slotEvents.contains {
                $0["step"] as? String == "verify-owner" && ($0["detail"] as? String ?? "").hasSuffix("unclaimed")
            }, "\(slotEvents)")
        }
        let cloud = try world.cloudDevices()
        for device in world.devices {
            #expect(cloud[device.deviceID]?["online"] as? Bool == true)
            #expect(cloud[device.deviceID]?["product_id"] as? Int == 1001, "\(cloud[device.deviceID] ?? [:])")
            #expect(cloud[device.deviceID]?["owner"] == nil || cloud[device.deviceID]?["owner"] is NSNull)
        }
        let devices = try await reportDevices(world)
        #expect(devices.count == 2 && devices.allSatisfy { $0["status"] as? String == "provisioned" })
        #expect(devices.allSatisfy { $0["product"] as? String == "widget-fleet" || $0["product"] as? String == "1001" })
    }

    @Test func oneEventStreamForTheWholeStation() async throws {
        let world = try await StationWorldFixture(devices: 4)
        let run = try await world.particlectl(world.stationArguments(["--count", "4", "--json"]))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let streams = try world.recordedRequests().filter { ($0["path"] as? String ?? "").contains("/events") }
        #expect(streams.count == 1, "event-stream requests: \(streams)")
    }
}
