import ArgumentParser
import ParticleCloud
import ParticleCLISupport

/// `particlectl api-user …`.
struct APIUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-user",
        abstract: "Manage API users: non-expiring, scoped tokens for back-ends (product or organization only).",
        discussion: "Scope names look like devices:list, devices.function:call, events:get. A call outside an API user's scopes fails with exit 5.",
        subcommands: [APIUserCreate.self, APIUserList.self, APIUserUpdate.self, APIUserDelete.self]
    )
}

/// `--product P | --org O`.
struct TeamOwnerOptions: ParsableArguments {
    @Option(name: .long, help: "Product ID or slug.")
    var product: String?
    @Option(name: .long, help: "Organization ID or slug.")
    var org: String?

    func validate() throws {
        if (product == nil) == (org == nil) { throw ValidationError("give exactly one of --product or --org") }
    }

    var owner: TeamOwner {
        if let product { return .product(product) }
        return .organization(org ?? "")
    }
}

/// What create and update print with --json.
struct APIUserResult: Encodable {
    var username: String
    var access_token: String
    var scopes: [String]
}

func printAPIUser(_ credentials: APIUserCredentials, scopes: [String], json: Bool) throws {
    guard let token = credentials.token else { throw CloudError(kind: .badReply, message: "the cloud returned no token for the API user") }
    if json {
        printJSON(APIUserResult(username: credentials.username, access_token: token, scopes: scopes))
    } else {
        Terminal.write(token)
        Terminal.writeError("particlectl: API user \(credentials.username); this token is shown once and never expires")
    }
}

/// The library's scope check, naming this command's option when none was given.
func validateScopes(_ scopes: [String]) throws {
    do {
        try TeamAPI.validate(scopes: scopes)
    } catch var missing as MissingCloudInput {
        missing.advice = "--scope"
        throw missing
    }
}
