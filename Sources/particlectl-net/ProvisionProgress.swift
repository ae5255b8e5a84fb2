import Dispatch
import Foundation
import Glibc
import ParticleCloud
import ParticleCore
import ParticleProvisioning
import ParticleCLISupport

/// Human progress lines for workflows, on stderr: each step once. On a terminal the running step's line is updated
/// in place (elapsed and remaining time during long waits) and replaced by its result; piped, only results are
/// written, plus one line per 10 s of a long wait.
final class ProgressPrinter: @unchecked Sendable {
    private let enabled: Bool
    private let inPlace: Bool
    private let lock = NSLock()
    /// The running step's line, shown on a terminal without a newline.
    private var pending: String?
    private var lastWaitLine = -1
    /// The back-off being shown, and the running step's line it covers on a terminal.
    private var backOff: BackOff?
    private var coveredLine: String?

    init(enabled: Bool, inPlace: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
        self.inPlace = inPlace
    }

    func show(_ event: ProgressEvent) {
        guard enabled else { return }
        lock.withLock {
            switch event {
            case .started(let step):
                lastWaitLine = -1
                if inPlace { showPending("… \(step.rawValue): \(step.doing)") }
            case .finished(let report):
                let mark = report.outcome == .done ? "✓" : "–"
                let skipped = report.outcome == .skipped ? "skipped, " : ""
                writeLine("\(mark) \(report.step.rawValue): \(skipped)\(report.detail) (\(Self.format(report.seconds)))")
                pending = nil
            case .note(let line):
                let current = pending
                writeLine("    \(line)")
                if let current { showPending(current) }
            case .waiting(let step, let elapsed, let remaining):
                let line = "… \(step.rawValue): \(step.doing) — \(Int(elapsed)) s elapsed, \(Int(remaining.rounded(.up))) s left"
                if inPlace {
                    showPending(line)
                } else if Int(elapsed) >= 5, Int(elapsed) / 10 != lastWaitLine {
                    lastWaitLine = Int(elapsed) / 10
                    write(line + "\n")
                }
            }
        }
    }

    /// A rate-limit back-off of the cloud client (`CloudConfiguration.onBackOff`): one line when it starts (how
    /// long, before which retry); on a terminal the running step's line counts down in place (elapsed and remaining)
    /// and comes back when requests flow again; piped, one more line per 10 s of a long wait.
    func show(_ report: BackOff) {
        guard enabled else { return }
        lock.withLock {
            let isNew = backOff.map { $0.request != report.request || $0.retry != report.retry || $0.seconds != report.seconds } ?? true
            if isNew {
                if backOff == nil { coveredLine = pending }
                backOff = report
                let current = pending
                writeLine("    " + Self.backOffStart(report))
                if let current { showPending(current) }
            }
            backOff = report
            let countdown = Self.backOffCountdown(report)
            if report.remaining <= 0 {
                if inPlace {
                    if let covered = coveredLine { showPending(covered) } else if pending != nil { write("\r\u{1B}[K"); pending = nil }
                }
                backOff = nil
                coveredLine = nil
            } else if inPlace {
                showPending((coveredLine.map { $0 + " — " } ?? "… ") + countdown)
            } else if Int(report.elapsed) >= 5, Int(report.elapsed) / 10 != lastWaitLine {
                lastWaitLine = Int(report.elapsed) / 10
                write("    \(countdown)\n")
            }
        }
    }

    /// `rate limited by the cloud (HTTP 429): waiting 3.0 s before retry 1 of 3 (GET /v1/devices)`.
    static func backOffStart(_ report: BackOff) -> String {
        "rate limited by the cloud (HTTP \(report.status)): waiting \(String(format: "%.1f", report.seconds)) s before "
            + "retry \(report.retry) of \(report.maximumRetries) (\(report.request))"
    }

    /// `rate limited by the cloud (HTTP 429): 1 s elapsed, 2 s left`.
    static func backOffCountdown(_ report: BackOff) -> String {
        "rate limited by the cloud (HTTP \(report.status)): \(Int(report.elapsed.rounded())) s elapsed, "
            + "\(Int(report.remaining.rounded())) s left"
    }

    /// "done: …; failed at …; not started: …", after a failure or an interruption.
    func failed(_ error: ProvisioningError) {
        let done = error.summary.steps.map { "\($0.step.rawValue)\($0.outcome == .skipped ? " (skipped)" : "")" }
        let line = "done: \(done.isEmpty ? "nothing" : done.joined(separator: ", ")); failed at \(error.step.rawValue)"
            + "\(error.isInterrupted ? " (interrupted)" : ""); not started: "
            + (error.notStarted.isEmpty ? "nothing" : error.notStarted.map(\.rawValue).joined(separator: ", "))
        lock.withLock {
            if inPlace, pending != nil { write("\r\u{1B}[K") }
            pending = nil
            write(line + "\n")
        }
    }

    /// Clears the in-place line (a workflow without step results ends).
    func clear() {
        lock.withLock {
            if inPlace, pending != nil { write("\r\u{1B}[K") }
            pending = nil
        }
    }

    /// Runs `body` (a prompt, a message) with the in-place line cleared, then shows it again.
    func pausing<T>(_ body: () throws -> T) rethrows -> T {
        let current: String? = lock.withLock {
            if inPlace, pending != nil { write("\r\u{1B}[K") }
            return pending
        }
        defer { if let current { lock.withLock { showPending(current) } } }
        return try body()
    }

    private func showPending(_ line: String) {
        pending = line
        write("\r\u{1B}[K" + line)
    }

    private func writeLine(_ line: String) {
        write((inPlace && pending != nil ? "\r\u{1B}[K" : "") + line + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func summary(_ summary: ProvisioningSummary) -> String {
        var lines = ["Provisioned \(summary.deviceID ?? "?") in \(format(summary.seconds))"]
        lines.append("  platform:  \(summary.platform ?? "unknown")")
        if let version = summary.deviceOS { lines.append("  Device OS: \(version)") }
        if let mac = summary.mac { lines.append("  MAC:       \(mac)") }
        if let serial = summary.serialNumber { lines.append("  serial:    \(serial)") }
        lines.append("  owner:     \(summary.owner ?? "-")")
        if let name = summary.name { lines.append("  name:      \(name)") }
        if let product = summary.product { lines.append("  product:   \(product)") }
        if let firmware = summary.firmware {
            lines.append("  firmware:  \(firmware.firmware)\(firmware.verified ? " (verified)" : "")")
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
}

extension FailureFields {
    /// From any error: a `ParticleError`'s line and exit code, else its description and exit 1.
    init(error: any Error, step: String?) {
        let reported = error as? any ParticleError
        self.init(error: reported?.message ?? String(describing: error),
                  exitCode: (reported?.exitStatus ?? .remoteError).rawValue, failedStep: step)
    }
}
