import Foundation
import ParticleCore

/// The ledger's logic, once for both back-ends: each function runs inside one transaction (``LedgerTransaction``)
/// and is safe to run again after a failure whose commit may or may not have happened (a lost connection): whatever
/// it records, it records once.
enum LedgerOperations {
    // MARK: - Attempts

    static func recoverInterrupted(_ tx: any LedgerTransaction, station: String, now: String) throws -> Int {
        let stale = try tx.rows("SELECT id, device_id FROM attempts WHERE station = ? AND status = 'in_progress'",
                                [.text(station)])
        try tx.execute("""
            UPDATE attempts SET status = 'interrupted', finished_at = ?, error = COALESCE(error, ?)
            WHERE station = ? AND status = 'in_progress'
            """, [.text(now), .text(Ledger.interruptedReason), .text(station)])
        for row in stale {
            guard let deviceID = row.string("device_id"), let attemptID = row.int64("id") else { continue }
            // Stopped before doing anything to the device (only identified, e.g. between recognising a provisioned
            // device and recording the skip): the device goes back to what it was, as a skip would have left it, so a
            // device provisioned earlier is still recognised on sight.
            if try onlyIdentified(tx, attemptID), let before = try deviceBefore(tx, attemptID) {
                try restore(tx, deviceID: deviceID, attempt: attemptID, to: before)
                continue
            }
            try tx.execute("""
                UPDATE devices SET status = 'interrupted', last_error = ?
                WHERE device_id = ? AND status = 'in_progress' AND last_attempt = ?
                """, [.text(Ledger.interruptedReason), .text(deviceID), .integer(attemptID)])
        }
        return stale.count
    }

    /// The attempt's row is keyed by the caller's token too: run again after a lost commit, it finds the row the
    /// first run made instead of making a second one. One statement (no transaction around it on PostgreSQL): the
    /// insert is skipped when the token is there already (`ON CONFLICT` too, for a first try still committing), and
    /// only then is the row looked up.
    static func beginAttempt(_ tx: any LedgerTransaction, _ start: AttemptStart, now: String,
                             location: String) throws -> Int64 {
        if let id = try tx.row("""
            INSERT INTO attempts (station, slot, operator, lot, profile, status, started_at, token)
            SELECT ?, ?, ?, ?, ?, 'in_progress', ?, ? WHERE NOT EXISTS (SELECT 1 FROM attempts WHERE token = ?)
            ON CONFLICT (token) DO NOTHING RETURNING id
            """, [.text(start.station), .text(start.slot), LedgerValue(start.operatorName), LedgerValue(start.lot),
                  .text(start.profile), .text(now), LedgerValue(start.token), LedgerValue(start.token)])?.int64("id") {
            return id
        }
        guard let token = start.token,
              let existing = try tx.row("SELECT id FROM attempts WHERE token = ?", [.text(token)])?.int64("id") else {
            throw LedgerError(.writeFailed, path: location, "the ledger \(location) returned no attempt id")
        }
        return existing
    }

    /// The device claim. A device `in_progress` under an attempt of *another station* that is itself still in
    /// progress is refused (``LedgerError/Kind/deviceBusy``): the same device plugged into two stations at once is
    /// provisioned by the first to attach it. Within one station a newer attempt takes the device over (it was
    /// unplugged and plugged into another slot). The check and the claim are one transaction holding a lock on the
    /// device's ID (PostgreSQL: an advisory lock, which also covers a device with no row yet — a row lock could not;
    /// SQLite: the IMMEDIATE write transaction), so two stations can never both see the device free. `step` (the
    /// identification) is recorded in the same transaction, as ``recordStep(_:attempt:_:now:location:)`` would.
    /// Round trips on PostgreSQL: BEGIN, the lock, one read (the attempt, the device, the attempt holding it), one
    /// write (the device, the attempt and the step in one statement), COMMIT.
    static func attach(_ tx: any LedgerTransaction, attempt: Int64, deviceID id: String, identity: DeviceIdentity,
                       step: StepRecord?, now: String, location: String) throws -> LedgerDevice? {
        try tx.lock("device:" + id)
        guard let found = try tx.row("""
            SELECT claimant.station AS claimant_station, claimant.slot AS claimant_slot,
                   claimant.operator AS claimant_operator, claimant.lot AS claimant_lot,
                   claimant.profile AS claimant_profile, claimant.device_before AS claimant_before,
                   holder.station AS holder_station, holder.slot AS holder_slot, holder.status AS holder_status,
                   devices.*
            FROM attempts AS claimant
            LEFT JOIN devices ON devices.device_id = ?
            LEFT JOIN attempts AS holder ON holder.id = devices.last_attempt
            WHERE claimant.id = ?
            """, [.text(id), .integer(attempt)]) else {
            throw unknownAttempt(attempt, location: location)
        }
        let before = found.string("device_id") == nil ? nil : LedgerRows.device(found)
        let station = found.string("claimant_station") ?? ""
        if let before, before.lastAttempt == attempt {
            // Run again after a lost commit: the device is ours already; what it was is stored on the attempt.
            if let step {
                let insert = stepInsert(attempt: attempt, step, now: now)
                try tx.execute(insert.sql, insert.arguments)
            }
            return decodeDevice(found.string("claimant_before"))
        }
        if let before, before.status == .inProgress, before.lastAttempt != nil,
           found.string("holder_status") == AttemptStatus.inProgress.rawValue,
           let holderStation = found.string("holder_station"), holderStation != station {
            throw LedgerError.deviceBusy(location, deviceID: id, station: holderStation, slot: found.string("holder_slot"))
        }
        let upsert = LedgerStatement("""
            INSERT INTO devices (device_id, serial_number, platform, mac, imei, iccid, device_os, status, profile,
                                 first_seen, station, slot, operator, lot, last_attempt)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (device_id) DO UPDATE SET
                serial_number = COALESCE(excluded.serial_number, devices.serial_number),
                platform = COALESCE(excluded.platform, devices.platform),
                mac = COALESCE(excluded.mac, devices.mac),
                imei = COALESCE(excluded.imei, devices.imei),
                iccid = COALESCE(excluded.iccid, devices.iccid),
                device_os = COALESCE(excluded.device_os, devices.device_os),
                status = 'in_progress', profile = excluded.profile, station = excluded.station,
                slot = excluded.slot, operator = excluded.operator, lot = excluded.lot,
                last_attempt = excluded.last_attempt
            """, [.text(id), LedgerValue(identity.serialNumber), LedgerValue(identity.platform?.name),
                  LedgerValue(identity.mac), LedgerValue(identity.imei), LedgerValue(identity.iccid),
                  LedgerValue(identity.systemVersion), LedgerValue(found.string("claimant_profile")), .text(now),
                  .text(station), LedgerValue(found.string("claimant_slot")),
                  LedgerValue(found.string("claimant_operator")), LedgerValue(found.string("claimant_lot")),
                  .integer(attempt)])
        let claim = LedgerStatement("UPDATE attempts SET device_id = ?, device_before = ? WHERE id = ?",
                                    [.text(id), LedgerValue(before.map { JSONOutput.line($0) }), .integer(attempt)])
        let recorded = step.map { stepInsert(attempt: attempt, $0, now: now) }
        switch tx.dialect {
        case .postgres:
            // One statement: data-modifying CTEs run once each, whatever the main query reads.
            let main = recorded ?? LedgerStatement("SELECT 1", [])
            try tx.execute("WITH device AS (\(upsert.sql) RETURNING device_id), claim AS (\(claim.sql) RETURNING id) "
                           + main.sql, upsert.arguments + claim.arguments + main.arguments)
        case .sqlite:
            for statement in [upsert, claim] + (recorded.map { [$0] } ?? []) {
                try tx.execute(statement.sql, statement.arguments)
            }
        }
        return before
    }

    /// The attempt met a device another station has: it ends skipped with the reason, its device set (the row exists:
    /// the other station made it), the device row untouched.
    static func skipBusy(_ tx: any LedgerTransaction, attempt: Int64, deviceID: String, reason: String,
                         now: String) throws {
        try tx.execute("""
            UPDATE attempts SET device_id = ?, status = 'skipped', finished_at = ?, error = ?
            WHERE id = ? AND status = 'in_progress'
            """, [.text(deviceID), .text(now), .text(reason), .integer(attempt)])
    }

    /// A step's row; the same record twice in a row (a write run again after a lost commit) is kept once. One
    /// statement, atomic by itself (no transaction around it on PostgreSQL); a second look only when it inserted
    /// nothing, to tell a repeat from an unknown attempt.
    static func recordStep(_ tx: any LedgerTransaction, attempt: Int64, _ step: StepRecord, now: String,
                           location: String) throws {
        let insert = stepInsert(attempt: attempt, step, now: now)
        if try tx.execute(insert.sql, insert.arguments) > 0 { return }
        guard try tx.row("SELECT id FROM attempts WHERE id = ?", [.integer(attempt)]) != nil else {
            throw unknownAttempt(attempt, location: location)
        }
    }

    /// Inserts the step after the attempt's last one (ordinal + 1), unless the last one is the same record; inserts
    /// nothing for an unknown attempt.
    static func stepInsert(attempt: Int64, _ step: StepRecord, now: String) -> LedgerStatement {
        LedgerStatement("""
            INSERT INTO steps (attempt_id, ordinal, step, outcome, seconds, detail, error, recorded_at)
            SELECT attempts.id, COALESCE(latest.ordinal, 0) + 1, ?, ?, ?, ?, ?, ?
            FROM attempts LEFT JOIN (
                SELECT attempt_id, ordinal, step, outcome, seconds, detail, error FROM steps WHERE attempt_id = ?
                ORDER BY ordinal DESC LIMIT 1
            ) AS latest ON latest.attempt_id = attempts.id
            WHERE attempts.id = ? AND (latest.ordinal IS NULL OR NOT (
                latest.step = ? AND latest.outcome = ? AND latest.seconds = ?
                AND latest.detail IS NOT DISTINCT FROM ? AND latest.error IS NOT DISTINCT FROM ?))
            """, [.text(step.step), .text(step.outcome), .real(step.seconds), LedgerValue(step.detail),
                  LedgerValue(step.error), .text(now), .integer(attempt), .integer(attempt), .text(step.step),
                  .text(step.outcome), .real(step.seconds), LedgerValue(step.detail), LedgerValue(step.error)])
    }

    static func update(_ tx: any LedgerTransaction, deviceID: String, _ outcome: DeviceOutcome,
                       location: String) throws {
        let changed = try tx.execute("UPDATE devices SET \(outcomeColumns()) WHERE device_id = ?",
                                     outcomeValues(outcome) + [.text(deviceID)])
        guard changed > 0 else { throw unknownDevice(deviceID, location: location) }
    }

    /// Ends an attempt that was not skipped, and gives its device (unless a later attempt owns it) the same status:
    /// `provisioned` also sets `finished_at` and clears `last_error`, the others set `last_error`. `outcome` (what
    /// provisioning found) goes on the attempt's device as ``update(_:deviceID:_:location:)`` would put it, in the
    /// same write; an attempt that never attached a device has nowhere to put it. PostgreSQL: one statement (the two
    /// updates as data-modifying CTEs), atomic by itself; SQLite: its statements in one write transaction.
    static func finish(_ tx: any LedgerTransaction, attempt: Int64, status: AttemptStatus, failedStep: String?,
                       error: String?, outcome: DeviceOutcome?, now: String, location: String) throws {
        precondition(status != .skipped, "a skipped attempt is finished by finishSkipped")
        let provisioned = status == .provisioned
        let ending = LedgerStatement("""
            UPDATE attempts SET finished_at = ?, status = ?, failed_step = ?, error = ? WHERE id = ?
            """, [.text(now), .text(status.rawValue), LedgerValue(failedStep), LedgerValue(error), .integer(attempt)])
        let ended: [LedgerValue] = [.text(status.rawValue), provisioned ? .text(now) : .null,
                                    provisioned ? .null : LedgerValue(error)]
        let found: Int
        switch tx.dialect {
        case .postgres:
            // One UPDATE of the device row (a statement may change a row once): what was found, whoever owns it
            // now, and the status only while this attempt owns it.
            let owned = "devices.last_attempt = attempt.id"
            found = try tx.row("""
                WITH attempt AS (\(ending.sql) RETURNING id, device_id), device AS (
                    UPDATE devices SET \(Self.outcomeColumns("devices.")),
                        status = CASE WHEN \(owned) THEN ? ELSE devices.status END,
                        finished_at = CASE WHEN \(owned) THEN COALESCE(?, devices.finished_at)
                                           ELSE devices.finished_at END,
                        last_error = CASE WHEN \(owned) THEN ? ELSE devices.last_error END
                    FROM attempt WHERE devices.device_id = attempt.device_id\(outcome == nil ? " AND \(owned)" : "")
                    RETURNING devices.device_id
                )
                SELECT COUNT(*) AS found FROM attempt
                """, ending.arguments + Self.outcomeValues(outcome) + ended)?.int("found") ?? 0
        case .sqlite:
            found = try tx.execute(ending.sql, ending.arguments)
            if found > 0 {
                if let outcome { try applyOutcome(tx, attempt: attempt, outcome) }
                try tx.execute("""
                    UPDATE devices SET status = ?, finished_at = COALESCE(?, finished_at), last_error = ?
                    WHERE device_id = (SELECT device_id FROM attempts WHERE id = ?) AND last_attempt = ?
                    """, ended + [.integer(attempt), .integer(attempt)])
            }
        }
        guard found > 0 else { throw unknownAttempt(attempt, location: location) }
    }

    /// `name = COALESCE(?, name), …`: the columns of a ``DeviceOutcome``, a nil value keeping what is stored.
    private static func outcomeColumns(_ table: String = "") -> String {
        ["name", "owner", "product", "firmware", "firmware_verified"]
            .map { "\($0) = COALESCE(?, \(table)\($0))" }.joined(separator: ", ")
    }

    private static func outcomeValues(_ outcome: DeviceOutcome?) -> [LedgerValue] {
        [LedgerValue(outcome?.name), LedgerValue(outcome?.owner), LedgerValue(outcome?.product),
         LedgerValue(outcome?.firmware), LedgerValue(outcome?.firmwareVerified)]
    }

    /// What provisioning found, on the attempt's device (none when it never attached one).
    private static func applyOutcome(_ tx: any LedgerTransaction, attempt: Int64, _ outcome: DeviceOutcome) throws {
        try tx.execute("""
            UPDATE devices SET \(outcomeColumns()) WHERE device_id = (SELECT device_id FROM attempts WHERE id = ?)
            """, outcomeValues(outcome) + [.integer(attempt)])
    }

    /// Ends an attempt as `skipped`: its device (unless a later attempt owns it) goes back to what it was before the
    /// attempt attached it, or `interrupted` when it was first seen by this attempt; `outcome` as in
    /// ``finish(_:attempt:status:failedStep:error:outcome:now:location:)``. One transaction.
    static func finishSkipped(_ tx: any LedgerTransaction, attempt: Int64, failedStep: String?, error: String?,
                              outcome: DeviceOutcome?, now: String, location: String) throws {
        let changed = try tx.execute("""
            UPDATE attempts SET finished_at = ?, status = 'skipped', failed_step = ?, error = ? WHERE id = ?
            """, [.text(now), LedgerValue(failedStep), LedgerValue(error), .integer(attempt)])
        guard changed > 0 else { throw unknownAttempt(attempt, location: location) }
        if let outcome { try applyOutcome(tx, attempt: attempt, outcome) }
        guard let row = try tx.row("""
            SELECT devices.device_id FROM attempts
            JOIN devices ON devices.device_id = attempts.device_id AND devices.last_attempt = attempts.id
            WHERE attempts.id = ?
            """, [.integer(attempt)]), let deviceID = row.string("device_id") else {
            return  // never attached, or another attempt owns the device now
        }
        if let before = try deviceBefore(tx, attempt) {
            try restore(tx, deviceID: deviceID, attempt: attempt, to: before)
        } else {
            // Skipped at first sight: nothing to go back to; it was not provisioned here.
            try tx.execute("UPDATE devices SET status = 'interrupted' WHERE device_id = ?", [.text(deviceID)])
        }
    }

    /// A hook's run; one row per hook and attempt (a write run again after a lost commit adds none).
    static func recordHook(_ tx: any LedgerTransaction, attempt: Int64, hook: String, command: String,
                           exitCode: Int32?, seconds: Double, error: String?, now: String, location: String) throws {
        let inserted = try tx.execute("""
            INSERT INTO hooks (attempt_id, hook, command, exit_code, seconds, error, ran_at)
            SELECT id, ?, ?, ?, ?, ?, ? FROM attempts
            WHERE id = ? AND NOT EXISTS (SELECT 1 FROM hooks WHERE attempt_id = ? AND hook = ?)
            """, [.text(hook), .text(command), LedgerValue(exitCode), .real(seconds), LedgerValue(error), .text(now),
                  .integer(attempt), .integer(attempt), .text(hook)])
        if inserted == 0 { _ = try requireAttempt(tx, attempt, location: location) }
    }

    // MARK: - Names

    /// The sequence is allocated in the database, under a lock on the template held to the end of the transaction
    /// (PostgreSQL: an advisory lock; SQLite: the IMMEDIATE write transaction): the template's highest number + 1,
    /// the name rendered from it stored unless that name is taken (under another template), else the next number. A
    /// lock rather than a database SEQUENCE because a taken name is passed over and a failed transaction must not burn
    /// a number; a lock rather than inserting and retrying on conflict because stations allocating at once would each
    /// retry once per station ahead of them. The UNIQUE constraints on `names` stay as the last safety net (the insert
    /// does nothing on a conflict, and the state is read again). Two stations, whatever the timing, never issue the
    /// same name. SQLite runs this; PostgreSQL runs the same logic inside the database in one call
    /// (``allocateNameInOneCall``), so that no client round trip happens while the lock is held.
    static func allocateName(_ tx: any LedgerTransaction, deviceID: String, template: String, now: String,
                             location: String, render: (Int) throws -> String) throws -> String {
        try tx.lock("names:" + template)
        var state = try nameState(tx, deviceID: deviceID, template: template, location: location)
        var sequence = state.top + 1
        var tried: Set<String> = []
        while true {
            if let existing = state.existing { return existing }
            let name = try render(sequence)
            guard tried.insert(name).inserted else {
                // The template renders the same name for different numbers: it has no sequence in it.
                throw UserError(.usage, "the name template \(template) gives the name \(name), already issued, "
                                + "for every number; put {seq} in it")
            }
            let inserted = try tx.execute("""
                INSERT INTO names (template, seq, device_id, name, allocated_at)
                SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM names WHERE name = ?)
                ON CONFLICT DO NOTHING
                """, [.text(template), .integer(Int64(sequence)), .text(deviceID), .text(name), .text(now),
                      .text(name)])
            if inserted > 0 { return name }
            // The name was taken (under another template), or this device has one: look again, go on past it.
            state = try nameState(tx, deviceID: deviceID, template: template, location: location)
            sequence = max(sequence + 1, state.top + 1)
        }
    }

    /// PostgreSQL's allocation in one statement (``LedgerSchema/postgresVersion3``): the names for up to
    /// `candidateCount` numbers above `guess` (the template's highest number as last seen) are rendered here and sent
    /// with one call of `particlectl_allocate_name`, which takes the template's lock, reads the highest number afresh
    /// and stores the first candidate above it whose name is free — no client round trip while the lock is held. A
    /// stale guess costs one more call, never a wrong name. The outcome is the same as ``allocateName``'s: the
    /// device's existing name; the first free name from the highest number + 1; a render error, or the usage error
    /// of a template without a sequence, once the numbers before it are all taken. Returns the name and the highest
    /// number now known (the next call's guess). Run it outside a transaction: the call is atomic by itself.
    static func allocateNameInOneCall(_ tx: any LedgerTransaction, deviceID: String, template: String, now: String,
                                      location: String, guess: Int, candidateCount: Int = 64,
                                      render: (Int) throws -> String) throws -> (name: String, top: Int) {
        var from = max(guess, 0) + 1
        while true {
            var numbers: [Int] = []
            var names: [String] = []
            var seen: Set<String> = []
            var pending: (any Error)?
            for number in from..<(from + candidateCount) {
                let name: String
                do { name = try render(number) } catch { pending = error; break }
                guard seen.insert(name).inserted else {
                    // The template renders the same name for different numbers: it has no sequence in it.
                    pending = UserError(.usage, "the name template \(template) gives the name \(name), already issued, "
                                        + "for every number; put {seq} in it")
                    break
                }
                numbers.append(number)
                names.append(name)
            }
            let row = try tx.row("SELECT * FROM particlectl_allocate_name(?, ?, ?, ?::bigint[], ?::text[])", [
                .text(template), .text(deviceID), .text(now),
                .text("{" + numbers.map(String.init).joined(separator: ",") + "}"),
                .text("{" + names.map(Self.arrayElement).joined(separator: ",") + "}"),
            ])
            guard let row, row.int("device_known") == 1 else { throw unknownDevice(deviceID, location: location) }
            let top = row.int("highest") ?? 0
            if let name = row.string("allocated") {
                let placed = names.firstIndex(of: name).map { numbers[$0] } ?? top
                return (name, max(top, placed))
            }
            // No candidate fitted. Above the highest number, every candidate's name was taken (by another template):
            // go on after the last, where a render error or a repeated name stands, as it would number by number.
            let last = from + numbers.count - 1
            if top < last || numbers.isEmpty && top < from {
                if let pending { throw pending }
                from = last + 1
            } else {
                from = top + 1  // the guess was stale: render again from the highest number
            }
        }
    }

    /// One element of a PostgreSQL array literal: quoted, with `"` and `\` escaped.
    static func arrayElement(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The name the device has under `template` already, and the template's highest number (0: none yet). Throws
    /// for a device the ledger does not have.
    private static func nameState(_ tx: any LedgerTransaction, deviceID: String, template: String,
                                  location: String) throws -> (existing: String?, top: Int) {
        let row = try tx.row("""
            SELECT (SELECT name FROM names WHERE template = ? AND device_id = ?) AS existing,
                   (SELECT COUNT(*) FROM devices WHERE device_id = ?) AS known,
                   (SELECT MAX(seq) FROM names WHERE template = ?) AS top
            """, [.text(template), .text(deviceID), .text(deviceID), .text(template)])
        if let existing = row?.string("existing") { return (existing, 0) }
        guard (row?.int("known") ?? 0) > 0 else { throw unknownDevice(deviceID, location: location) }
        return (nil, row?.int("top") ?? 0)
    }

    // MARK: - Reading

    static func record(_ tx: any LedgerTransaction, attempt: Int64, location: String) throws -> LedgerRecord {
        let attemptValue = try requireAttempt(tx, attempt, location: location)
        let device = try attemptValue.deviceID.flatMap { try fetchDevice(tx, $0) }
        let steps = try tx.rows("""
            SELECT step, outcome, seconds, detail, error FROM steps WHERE attempt_id = ? ORDER BY ordinal
            """, [.integer(attempt)]).map(LedgerRows.step)
        return LedgerRecord(device: device, attempt: attemptValue, steps: steps)
    }

    static func fetchDevice(_ tx: any LedgerTransaction, _ deviceID: String) throws -> LedgerDevice? {
        try tx.row("SELECT * FROM devices WHERE device_id = ?", [.text(deviceID)]).map(LedgerRows.device)
    }

    // MARK: - Helpers

    private static func requireAttempt(_ tx: any LedgerTransaction, _ id: Int64, location: String) throws -> LedgerAttempt {
        guard let row = try tx.row("SELECT * FROM attempts WHERE id = ?", [.integer(id)]) else {
            throw unknownAttempt(id, location: location)
        }
        return LedgerRows.attempt(row)
    }

    private static func unknownAttempt(_ id: Int64, location: String) -> LedgerError {
        LedgerError(.unknownRecord, path: location, "the ledger \(location) has no attempt \(id)")
    }

    private static func unknownDevice(_ deviceID: String, location: String) -> LedgerError {
        LedgerError(.unknownRecord, path: location, "the ledger \(location) has no device \(deviceID)")
    }

    /// The device's row as it was before `attempt` attached it (nil at first sight).
    private static func deviceBefore(_ tx: any LedgerTransaction, _ attempt: Int64) throws -> LedgerDevice? {
        decodeDevice(try tx.row("SELECT device_before FROM attempts WHERE id = ?",
                                [.integer(attempt)])?.string("device_before"))
    }

    /// A device row stored as JSON (`attempts.device_before`).
    private static func decodeDevice(_ json: String?) -> LedgerDevice? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(LedgerDevice.self, from: Data(json.utf8))
    }

    /// Whether `attempt` recorded nothing beyond identifying the device.
    private static func onlyIdentified(_ tx: any LedgerTransaction, _ attempt: Int64) throws -> Bool {
        try tx.row("SELECT COUNT(*) AS n FROM steps WHERE attempt_id = ? AND step <> 'identify'",
                   [.integer(attempt)])?.int("n") == 0
    }

    /// Puts the device's row back as it was before `attempt` (identity columns keep what was learnt), unless a later
    /// attempt owns it now.
    private static func restore(_ tx: any LedgerTransaction, deviceID: String, attempt: Int64,
                                to before: LedgerDevice) throws {
        try tx.execute("""
            UPDATE devices SET status = ?, profile = ?, station = ?, slot = ?, operator = ?, lot = ?, last_attempt = ?
            WHERE device_id = ? AND last_attempt = ?
            """, [.text(before.status.rawValue), LedgerValue(before.profile), LedgerValue(before.station),
                  LedgerValue(before.slot), LedgerValue(before.operatorName), LedgerValue(before.lot),
                  LedgerValue(before.lastAttempt), .text(deviceID), .integer(attempt)])
    }
}
