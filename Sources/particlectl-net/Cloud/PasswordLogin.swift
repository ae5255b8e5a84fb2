import ArgumentParser
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// Username, password and one-time-password options shared by `login` and `token create`.
struct CredentialOptions: ParsableArguments {
    @Option(name: .long, help: "Account email (prompted when missing).")
    var username: String?

    @Flag(name: .customLong("password-stdin"),
          help: "Read the password from the first line of stdin; further lines are MFA codes (else prompted without echo).")
    var passwordStdin = false

    @Option(name: .long, help: "The 6-digit MFA code, for accounts with multi-factor authentication (else prompted).")
    var otp: String?

    @Option(name: .customLong("password"), help: .hidden)
    var plainPassword: String?

    func validate() throws {
        if plainPassword != nil {
            throw ValidationError("passwords are not accepted as arguments; use --password-stdin or answer the prompt")
        }
        if let otp, !Self.isOTP(otp) { throw ValidationError("--otp must be 6 digits") }
    }

    static func isOTP(_ text: String) -> Bool { text.count == 6 && text.allSatisfy { $0.isASCII && $0.isNumber } }
}

/// The password grant: on a terminal the password is asked again after a refusal (up to three tries); then up to
/// three MFA code attempts. A code that is not 6 digits is refused here, without spending an attempt.
struct PasswordLogin {
    static let maximumOTPAttempts = 3
    static let maximumPasswordAttempts = 3
    /// Malformed codes typed at the prompt before giving up (they are not sent, so they cost no attempt).
    static let maximumMalformedCodes = 5

    let credentials: CredentialOptions
    let input: StandardInput

    func username(default stored: String?) throws -> String {
        if let name = credentials.username, !name.isEmpty { return name }
        if let stored, !stored.isEmpty { return stored }
        let answer = try Prompt.ask("Email: ", secret: false, hint: "pass --username").trimmingCharacters(in: .whitespaces)
        guard !answer.isEmpty else { throw UserError(.usage, "no username given; pass --username") }
        return answer
    }

    func password() throws -> String {
        if credentials.passwordStdin {
            guard let line = try input.nextLine(), !line.isEmpty else {
                throw UserError(.usage, "--password-stdin given but stdin held no password")
            }
            return line
        }
        return try Prompt.ask("Password: ", secret: true, hint: "use --password-stdin")
    }

    func code(attempt: Int) throws -> String {
        if attempt == 1, let otp = credentials.otp { return otp }
        if credentials.passwordStdin {
            guard let line = try input.nextLine(), !line.isEmpty else {
                if attempt == 1 {
                    throw UserError(.authentication, "this account needs an MFA code: pass --otp or add it as the next stdin line")
                }
                throw UserError(.authentication, "the MFA code was refused; run `particlectl login` again with the current code")
            }
            guard CredentialOptions.isOTP(line) else {
                throw UserError(.usage, "the MFA code on stdin must be 6 digits (nothing was sent)")
            }
            return line
        }
        for _ in 1...Self.maximumMalformedCodes {
            let answer = try Prompt.ask("MFA code (attempt \(attempt) of \(Self.maximumOTPAttempts)): ", secret: false,
                                        hint: "pass --otp")
            if CredentialOptions.isOTP(answer) { return answer }
            Terminal.writeError("particlectl: the MFA code must be 6 digits; type it again")
        }
        throw UserError(.usage, "no 6-digit MFA code given; run `particlectl login` again")
    }

    /// Logs in; returns the token reply and the username.
    func run(_ cloud: CloudClient, storedUsername: String?, expiresIn: Int) async throws -> (TokenReply, String) {
        let username = try username(default: storedUsername)
        var passwordAttempt = 1
        while true {
            let password = try password()
            do {
                return (try await cloud.tokens.login(username: username, password: password, expiresIn: expiresIn), username)
            } catch let error as CloudError where error.kind == .mfaRequired {
                return (try await verify(cloud, error: error, expiresIn: expiresIn), username)
            } catch let refused as CloudError where refused.code == "invalid_grant"
                        && !credentials.passwordStdin && passwordAttempt < Self.maximumPasswordAttempts {
                // At a terminal a typo costs a retype, not a new run.
                passwordAttempt += 1
                Terminal.writeError("particlectl: wrong username or password (\(refused.apiMessage ?? "refused")); try again")
            }
        }
    }

    private func verify(_ cloud: CloudClient, error: CloudError, expiresIn: Int) async throws -> TokenReply {
        guard let mfaToken = error.mfaToken else { throw CloudError(kind: .badReply, message: "the cloud asked for MFA without an mfa_token") }
        for attempt in 1...Self.maximumOTPAttempts {
            let otp = try code(attempt: attempt)
            do {
                return try await cloud.tokens.verifyOTP(mfaToken: mfaToken, otp: otp, expiresIn: expiresIn)
            } catch let refused as CloudError where refused.kind == .authentication {
                if attempt < Self.maximumOTPAttempts {
                    Terminal.writeError("particlectl: MFA code refused (\(refused.apiMessage ?? "invalid code")); try again")
                }
            }
        }
        throw CloudError(kind: .authentication, message: "MFA code refused \(Self.maximumOTPAttempts) times; run `particlectl login` again")
    }
}
