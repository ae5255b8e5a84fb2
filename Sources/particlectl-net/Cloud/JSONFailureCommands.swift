import ParticleCloud
import ParticleCore
import ParticleCLISupport

// Every `--json` command of particlectl-net whose object a script reads prints, when it fails, one JSON object on
// stdout with "error" and "exit_code" (and the keys it already knows), through `CommandLineRunner` — one mechanism for
// all of them. `provision` and `firmware flash` print their own (the steps done, "failed_step").

extension CloudDevices: JSONOutputCommand {}
extension CloudDevice: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["id": .string(knownDevice(device))] }
}
extension CloudGet: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["device": .string(knownDevice(device)), "name": .string(variable)] }
}
extension CloudCall: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["device": .string(knownDevice(device)), "function": .string(function)] }
}
extension CloudPing: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["device": .string(knownDevice(device))] }
}
extension CloudClaim: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["id": .string(knownDevice(device))] }
}
extension CloudUnclaim: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["id": .string(knownDevice(device))] }
}
extension CloudRename: JSONOutputCommand {}
extension CloudNotes: JSONOutputCommand {}
extension CloudPublish: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["name": .string(name)] }
}
extension CloudClaimCode: JSONOutputCommand {}
extension CloudImport: JSONOutputCommand {}
extension CloudSubscribe: JSONOutputCommand {}
extension CloudProducts: JSONOutputCommand {}
extension CloudProduct: JSONOutputCommand {}
extension CloudOrgs: JSONOutputCommand {}
extension Customers: JSONOutputCommand {}
extension CustomerCreate: JSONOutputCommand {}
extension TokenCreate: JSONOutputCommand {}
extension TokenProduct: JSONOutputCommand {}
extension TokenCustomer: JSONOutputCommand {}
extension TokenRevoke: JSONOutputCommand {}
extension APIUserList: JSONOutputCommand {}
extension APIUserCreate: JSONOutputCommand {}
extension APIUserUpdate: JSONOutputCommand {}
extension APIUserDelete: JSONOutputCommand {
    var jsonFieldsOnFailure: [String: JSONValue] { ["username": .string(username)] }
}
extension Whoami: JSONOutputCommand {}
extension Login: JSONOutputCommand {}
extension Logout: JSONOutputCommand {}
extension FirmwareList: JSONOutputCommand {}
extension FirmwareShow: JSONOutputCommand {}
extension FirmwareCompile: JSONFailureReporting {
    var isJSONRequested: Bool { format.json }
}
extension SoftAPClaim: JSONOutputCommand {}
extension SoftAPConfigure: JSONOutputCommand {}
extension SoftAPConnect: JSONOutputCommand {}
extension SoftAPInfo: JSONOutputCommand {}
extension SoftAPPublicKeyCommand: JSONOutputCommand {}
extension SoftAPScan: JSONOutputCommand {}
extension SoftAPSetup: JSONOutputCommand {}

/// A device argument as the success object would show it (the reference's text), or as given when it is not one.
private func knownDevice(_ text: String) -> String {
    (try? DeviceReference(text))?.value ?? text
}
