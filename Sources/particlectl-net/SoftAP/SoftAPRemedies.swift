import ParticleCore
import ParticleSoftAP

/// How each command names the SoftAP library's remedies: with its own flags (`softap …` has `--channel`, `provision`
/// does not). The library names what to change; the command says which flag changes it.
enum SoftAPRemedies {
    /// The `softap …` commands.
    static func softap(_ remedy: SoftAPError.Remedy) -> String {
        switch remedy {
        case .address: "check --address"
        case .addressAndProtocol: "check --address and --protocol"
        case .timeout: "raise --timeout"
        case .securityAndChannel: "pass --security and --channel"
        case .security: "pass --security (one of \(SoftAPSecurity.acceptedNames.joined(separator: ", ")))"
        case .enterpriseCredentials: "give --eap peap with --identity, or --eap tls with --certificate and --private-key"
        }
    }

    /// `provision --softap` (no --channel: the device ignores a zero channel; no enterprise networks).
    static func provision(_ remedy: SoftAPError.Remedy) -> String {
        switch remedy {
        case .address: "check --address"
        case .addressAndProtocol: "check --address and --protocol"
        case .timeout: "raise --timeout"
        case .securityAndChannel, .security: "pass --security"
        case .enterpriseCredentials: "set the device up with `particlectl softap setup --eap …`, then finish it with `provision --device`"
        }
    }

    /// The error's one line in the command's words; a bad address names `--address`.
    static func message(_ error: SoftAPError, naming: (SoftAPError.Remedy) -> String) -> String {
        if case let .badAddress(text, reason) = error { return "--address \(UntrustedText.escaped(text)): \(reason)" }
        return error.message(naming: naming)
    }

    /// Runs a `softap …` command's body: a SoftAP error is reported with the command's flags.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SoftAPError {
            throw UserError(error.exitStatus, message(error, naming: softap))
        }
    }
}
