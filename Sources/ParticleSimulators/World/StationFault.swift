import ParticleCore

/// What can go wrong with one device of a simulated station (`particlectl sim station --fault N=KIND`).
public enum StationFault: String, Sendable, CaseIterable, Hashable, Codable, Comparable {
    /// Never answers (the console reads and says nothing).
    case silent
    /// Disappears in the middle of the Wi-Fi dialogue: its pty is closed once the host has typed the SSID.
    case unplug
    /// Accepts the Wi-Fi credentials but never comes online: the world treats its Wi-Fi as wrong.
    case wrongWiFi = "wrong-wifi"
    /// Answers slowly (every reply and prompt 0.4 s late), within the usual timeouts.
    case slow

    /// The simulated device's own fault that plays this one (nil: the world plays it, not the device).
    public var deviceFault: SimulatedFault? {
        switch self {
        case .silent: .silent
        case .unplug: .unplugInWiFi
        case .slow: .lag
        case .wrongWiFi: nil
        }
    }

    public static func < (lhs: StationFault, rhs: StationFault) -> Bool {
        let order = allCases
        return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
    }

    /// The names, for messages and help: "silent, unplug, wrong-wifi, slow".
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// One `--fault N=KIND` argument: device N (1-based) gets fault KIND.
public struct StationFaultAssignment: Sendable, Hashable {
    public var device: Int
    public var fault: StationFault

    public init(device: Int, fault: StationFault) {
        self.device = device
        self.fault = fault
    }

    /// Parses `N=KIND` (e.g. `3=silent`). Pure: the device count is checked by `StationFaultAssignment.plan`.
    public init(parsing text: String) throws(StationFaultError) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .malformed(text) }
        let number = parts[0].trimmingWhitespace
        guard let device = Int(number), device >= 1 else { throw .badDevice(text) }
        guard let fault = StationFault(rawValue: parts[1].trimmingWhitespace.lowercased()) else {
            throw .unknownKind(text, kind: parts[1].trimmingWhitespace)
        }
        self.init(device: device, fault: fault)
    }

    /// The faults of each device (0-based index), for `devices` devices; a device number beyond them is refused.
    public static func plan(_ assignments: [StationFaultAssignment], devices: Int) throws(StationFaultError)
        -> [Int: Set<StationFault>]
    {
        var plan: [Int: Set<StationFault>] = [:]
        for assignment in assignments {
            guard assignment.device <= devices else {
                throw .deviceOutOfRange(assignment.device, devices: devices)
            }
            plan[assignment.device - 1, default: []].insert(assignment.fault)
        }
        return plan
    }
}

/// A `--fault` value that cannot be used. Bad usage (exit 2), one line.
public enum StationFaultError: ParticleError, Equatable {
    case malformed(String)
    case badDevice(String)
    case unknownKind(String, kind: String)
    case deviceOutOfRange(Int, devices: Int)

    public var exitStatus: ExitStatus { .usage }

    public var message: String {
        switch self {
        case .malformed(let text):
            "--fault \(UntrustedText.escaped(text)) is not N=KIND; write e.g. --fault 3=silent (KIND: \(StationFault.names))"
        case .badDevice(let text):
            "--fault \(UntrustedText.escaped(text)) does not start with a device number (1, 2, …); write e.g. --fault 3=silent"
        case .unknownKind(_, let kind):
            "unknown fault '\(UntrustedText.escaped(kind))' in --fault; use one of \(StationFault.names)"
        case .deviceOutOfRange(let device, let devices):
            "--fault names device \(device) but there \(devices == 1 ? "is 1 device" : "are \(devices) devices"); "
                + "number the devices from 1 to \(devices)"
        }
    }
}

private extension Substring {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
