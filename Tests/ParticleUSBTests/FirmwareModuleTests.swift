import Testing
@testable import ParticleUSB

@Suite("module info replies (90)")
struct FirmwareModuleTests {
    @Test("the new format (field 2): failed checks are checked XOR passed")
    func newFormat() throws {
        // {2: {1: 5 user_part, 2: 1, 3: 6, 4: 0, 6: fixed32 0x1E, 7: fixed32 0x1A, 9: {1: 4, 2: 1, 3: 6200}, 11: 5120}}
        let dependency: [UInt8] = [0x08, 0x04, 0x10, 0x01, 0x18, 0xB8, 0x30]
        let module: [UInt8] = [0x08, 0x05, 0x10, 0x01, 0x18, 0x06, 0x35, 0x1E, 0, 0, 0, 0x3D, 0x1A, 0, 0, 0,
                               0x4A, UInt8(dependency.count)] + dependency + [0x58, 0x80, 0x28]
        let modules = try FirmwareModule.modules(from: [0x12, UInt8(module.count)] + module)
        #expect(modules == [FirmwareModule(type: "user_part", index: 1, version: 6, store: "main", size: 5120,
                                           failedChecks: ["dependencies"],
                                           dependencies: [.init(type: "system_part", index: 1, version: 6200)])])
        #expect(modules.first?.isValid == false)
    }

    @Test("the old format (field 1): validity bits 0x01 integrity, 0x02 dependencies")
    func oldFormat() throws {
        // {1: {1: 2 system_part, 2: 1, 3: 2300, 4: 1000, 5: 1}}
        let module: [UInt8] = [0x08, 0x02, 0x10, 0x01, 0x18, 0xFC, 0x11, 0x20, 0xE8, 0x07, 0x28, 0x01]
        let modules = try FirmwareModule.modules(from: [0x0A, UInt8(module.count)] + module)
        #expect(modules == [FirmwareModule(type: "system_part", index: 1, version: 2300, store: nil, size: 1000,
                                           failedChecks: ["integrity"], dependencies: [])])
        #expect(try FirmwareModule.modules(from: []) == [])
    }
}
