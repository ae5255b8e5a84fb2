import ParticleCloud
import ParticleCore

/// A profile's acceptance checks failed: which one, and what the device answered.
public struct AcceptanceError: ParticleError, Equatable {
    public var check: String
    public var reason: String
    public var exitStatus: ExitStatus { .remoteError }
    public var message: String { "acceptance check \(check) failed: \(reason)" }
}

/// Runs the profile's acceptance checks on a provisioned, online device, in order: call a function and compare its
/// return value; read a variable and check it exists (or equals the expected value). Stops at the first failure.
public struct AcceptanceChecks: Sendable {
    public var checks: [StationProfile.Acceptance]
    public var devices: DevicesAPI

    public init(_ checks: [StationProfile.Acceptance], devices: DevicesAPI) {
        self.checks = checks
        self.devices = devices
    }

    /// What each check found, for the ledger ("digitalread(D7) = 0, version = \"1.2.0\"").
    public func run(on device: DeviceReference) async throws -> String {
        var found: [String] = []
        for check in checks {
            try Task.checkCancellation()
            switch check {
            case .function(let name, let argument, let expect):
                let label = "\(name)(\(argument))"
                let reply: FunctionReply
                do {
                    reply = try await devices.call(device, name, argument: argument)
                } catch let error as CloudError {
                    throw AcceptanceError(check: label, reason: error.message)
                }
                if let expect, reply.returnValue != expect {
                    throw AcceptanceError(check: label, reason: "returned \(reply.returnValue), expected \(expect)")
                }
                found.append("\(label) = \(reply.returnValue)")
            case .variable(let name, let expect):
                let reply: VariableReply
                do {
                    reply = try await devices.variable(device, name)
                } catch let error as CloudError {
                    throw AcceptanceError(check: name, reason: error.message)
                }
                if let expect, reply.result != expect {
                    throw AcceptanceError(check: name, reason: "is \(reply.result.serialized), expected \(expect.serialized)")
                }
                found.append("\(name) = \(reply.result.serialized)")
            }
        }
        return found.joined(separator: ", ")
    }
}
