import ArgumentParser

/// The commands of `particlectl-net`, in the order `particlectl --help` lists them. Both `particlectl-net` and the
/// whole-tree root in `particlectl-sim` (help, shell completions, man page) take them from here.
public enum NetCommandTree {
    public static let commands: [any ParsableCommand.Type] = [
        Provision.self, StationCommand.self, Firmware.self, CloudCommand.self, Login.self, Logout.self, Whoami.self, TokenCommand.self,
        APIUserCommand.self, CustomerCommand.self, Customers.self, SoftAP.self, USBCommand.self, FlashLocal.self,
    ]
}
