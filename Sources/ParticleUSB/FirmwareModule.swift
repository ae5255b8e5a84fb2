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
    static let checks: [(UInt64, String)] = [(0x02, "integrity"), (0x04, "dependencies"), (0x08, "range"), (0x10, "platform")]

    static func name(_ value: UInt64, in names: [String]) -> String {
        value < UInt64(names.count) ? names[Int(value)] : "type \(value)"
    }

    /// The modules of a GetModuleInfoReply (new format when present, else the old one).
    public static func modules(from reply: [UInt8]) throws(USBError) -> [FirmwareModule] {
        let fields = try ProtobufFields(decoding: reply)
        let current = try fields.messages(2)
        if !current.isEmpty {
            var modules: [FirmwareModule] = []
            for module in current {
                let failed = module.uint(6) ^ module.uint(7)
                modules.append(FirmwareModule(
                    type: name(module.uint(1), in: newTypes), index: UInt32(truncatingIfNeeded: module.uint(2)),
                    version: UInt32(truncatingIfNeeded: module.uint(3)), store: name(module.uint(4), in: stores),
                    size: UInt32(truncatingIfNeeded: module.uint(11)),
                    failedChecks: checks.filter { failed & $0.0 != 0 }.map(\.1),
                    dependencies: try module.messages(9).map { dependency in
                        Dependency(type: name(dependency.uint(1), in: newTypes),
                                   index: UInt32(truncatingIfNeeded: dependency.uint(2)),
                                   version: UInt32(truncatingIfNeeded: dependency.uint(3)))
                    }))
            }
            return modules
        }
        var modules: [FirmwareModule] = []
        for module in try fields.messages(1) {
            let validity = module.uint(5)
            var failed: [String] = []
            if validity & 0x01 != 0 { failed.append("integrity") }
            if validity & 0x02 != 0 { failed.append("dependencies") }
            modules.append(FirmwareModule(
                type: name(module.uint(1), in: oldTypes), index: UInt32(truncatingIfNeeded: module.uint(2)),
                version: UInt32(truncatingIfNeeded: module.uint(3)), store: nil,
                size: UInt32(truncatingIfNeeded: module.uint(4)), failedChecks: failed,
                dependencies: try module.messages(6).map { dependency in
                    Dependency(type: name(dependency.uint(1), in: oldTypes),
                               index: UInt32(truncatingIfNeeded: dependency.uint(2)),
                               version: UInt32(truncatingIfNeeded: dependency.uint(3)))
                }))
        }
        return modules
    }
}
