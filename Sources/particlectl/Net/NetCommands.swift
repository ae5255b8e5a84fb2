import ArgumentParser
import ParticleCLISupport

/// A command that lives in `particlectl-net` (it needs the HTTP and crypto stack): this front only names it in its
/// command list; `Handover` passes the whole command line (and `help <command>`) to `particlectl-net` before parsing.
protocol NetPassthrough: ParsableCommand {
    var arguments: [String] { get }
}

extension NetPassthrough {
    func run() throws {
        try SiblingExecutable.exec("particlectl-net", [Self._commandName] + arguments)
    }
}

/// The network commands, in the order `particlectl --help` lists them.
enum NetCommands {
    static let all: [any ParsableCommand.Type] = [
        ProvisionCommand.self, StationCommand.self, FirmwareCommand.self, CloudCommand.self, LoginCommand.self, LogoutCommand.self,
        WhoamiCommand.self, TokenCommand.self, APIUserCommand.self, CustomerCommand.self, CustomersCommand.self,
        SoftAPCommand.self, USBCommand.self, FlashCommand.self,
    ]

    static let names = Set(all.map { $0._commandName })
}

struct ProvisionCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "provision",
        abstract: "Provision a device end to end: identify, claim code, Wi-Fi, online, owner, optionally firmware.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct StationCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "station",
        abstract: "Factory station: provision every device on a hub concurrently, with a crash-safe ledger.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct FirmwareCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "firmware",
        abstract: "List, show, compile and flash the firmware bundled with particlectl.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct CloudCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "cloud",
        abstract: "Call the Particle Cloud API: devices, variables, functions, events, claiming, products.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct LoginCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "login",
        abstract: "Log in with your Particle account and store the access token in particlectl's config file.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct LogoutCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "logout",
        abstract: "Revoke the current access token and forget it.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct WhoamiCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "whoami",
        abstract: "Show who the access token belongs to and when it expires.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct TokenCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "token",
        abstract: "Create and revoke access tokens: user, product (client credentials) and customer tokens.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct APIUserCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "api-user",
        abstract: "Manage API users: non-expiring, scoped tokens for back-ends (product or organization only).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct CustomerCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "customer",
        abstract: "Manage a product's customers (see also `particlectl customers`).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct CustomersCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "customers",
        abstract: "List a product's customers and their devices.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct SoftAPCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "softap",
        abstract: "Set up a Photon/P1 over its SoftAP (join its Photon-XXXXXX Wi-Fi first).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct USBCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "usb",
        abstract: "Talk to devices over USB control requests: identify, listening mode, DFU, reset, claim, cloud status.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

struct FlashCommand: NetPassthrough {
    static let configuration = CommandConfiguration(commandName: "flash",
        abstract: "Load an application binary or a bundled firmware into a device over USB (the device needs no cloud, no Wi-Fi).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}
