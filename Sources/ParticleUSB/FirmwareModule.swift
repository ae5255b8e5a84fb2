/// One firmware module as GET_MODULE_INFO (90) reports it: field 2 (`cloud.FirmwareModule`, Device OS 5.6.0+), or
/// field 1 (the older `ctrl` format) from devices before that.
public struct FirmwareModule: Sendable, Equatable {
    /// Names of the module types, in both formats' numbering mapped to one vocabulary.
    public var type: String
    public var index: UInt32
    public var version: UInt32
    /// "main", "factory", "backup", "scratchpad" (new format only).
    public var store: String?
    public var size: UInt32
    /// The checks that failed ("integrity", "dependencies", "range", "platform"); empty when the module is valid.
    public var failedChecks: [String]
    public var dependencies: [Dependency]

    public struct Dependency: Sendable, Equatable {
        public var type: String
        public var index: UInt32
        public var version: UInt32
    }

    public var isValid: Bool { failedChecks.isEmpty }

    static let newTypes = ["invalid", "resource", "bootloader", "mono", "system_part", "user_part", "settings", "ncp",
                           "radio_stack", "asset"]
    static let oldTypes = ["invalid", "bootloader", "system_part", "user_part", "mono", "ncp", "radio_stack"]
    static let stores = ["main", "factory", "backup", "scratchpad"]
    static let checks: [(UInt32, String)] = [(0x02, "integrity"), (0x04, "dependencies"), (0x08, "range"), (0x10, "platform")]

    static func name(_ value: Int, in names: [String]) -> String {
        names.indices.contains(value) ? names[value] : "type \(value)"
    }

    /// The modules of a GetModuleInfoReply (new format when present, else the old one).
    public static func modules(from reply: [UInt8]) throws(USBError) -> [FirmwareModule] {
        let message = try Particle_Ctrl_GetModuleInfoReply(reply: reply, of: RequestType.moduleInfo)
        if !message.modules.isEmpty {
            return message.modules.map(FirmwareModule.init(current:))
        }
        return message.modulesDeprecated.map(FirmwareModule.init(deprecated:))
    }
}

extension FirmwareModule {
    /// A `cloud.FirmwareModule` (Device OS 5.6.0+): a check failed when it was performed and did not pass.
    init(current module: Particle_Cloud_FirmwareModule) {
        let failed = module.checkedFlags ^ module.passedFlags
        self.init(type: Self.name(module.type.rawValue, in: Self.newTypes), index: module.index, version: module.version,
                  store: Self.name(module.store.rawValue, in: Self.stores), size: module.size,
                  failedChecks: Self.checks.filter { failed & $0.0 != 0 }.map(\.1),
                  dependencies: module.dependencies.map { dependency in
                      Dependency(type: Self.name(dependency.type.rawValue, in: Self.newTypes), index: dependency.index,
                                 version: dependency.version)
                  })
    }

    /// A `ctrl.GetModuleInfoReply.Module` (before Device OS 5.6.0): validity bits 0x01 integrity, 0x02 dependencies.
    init(deprecated module: Particle_Ctrl_GetModuleInfoReply.Module) {
        var failed: [String] = []
        if module.validity & 0x01 != 0 { failed.append("integrity") }
        if module.validity & 0x02 != 0 { failed.append("dependencies") }
        self.init(type: Self.name(module.type.rawValue, in: Self.oldTypes), index: module.index, version: module.version,
                  store: nil, size: module.size, failedChecks: failed,
                  dependencies: module.dependencies.map { dependency in
                      Dependency(type: Self.name(dependency.type.rawValue, in: Self.oldTypes), index: dependency.index,
                                 version: dependency.version)
                  })
    }
}
