import Foundation
import Testing
@testable import ParticleFirmware

@Suite("Bundled firmware")
struct BundledFirmwareTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func bothFirmwareShip() {
        #expect(BundledFirmware.all.map(\.name) == ["functionVar", "functionVarPub"])
    }

    @Test("the embedded copy equals firmware/ (run `make embed-firmware` after editing)",
          arguments: ["functionVar", "functionVarPub"])
    func embeddedMatchesRepository(name: String) throws {
        let firmware = try #require(BundledFirmware.named(name))
        let source = try String(contentsOf: Self.root.appendingPathComponent("firmware/\(name).cpp"), encoding: .utf8)
        let manifestText = try String(contentsOf: Self.root.appendingPathComponent("firmware/\(name).json"), encoding: .utf8)
        #expect(firmware.source == source.trimmingCharacters(in: .newlines))
        let manifest = try JSONDecoder().decode(BundledFirmware.Manifest.self, from: Data(manifestText.utf8))
        #expect(firmware.manifest == manifest)
    }

    @Test func manifestsDescribeWhatTheSourcesRegister() throws {
        for firmware in BundledFirmware.all {
            for function in firmware.manifest.functions {
                #expect(firmware.source.contains("Particle.function(\"\(function)\""))
            }
            for variable in firmware.manifest.variables.keys {
                #expect(firmware.source.contains("Particle.variable(\"\(variable)\""))
            }
        }
        let pub = try #require(BundledFirmware.named("functionVarPub.cpp"))
        #expect(pub.manifest.functions == ["setColor", "publishEvent"])
        #expect(pub.manifest.productVersion == 1)
        #expect(pub.manifest.verify == .init(function: "setColor", argument: "0,255,0", expect: 1))
        #expect(BundledFirmware.named("FUNCTIONVAR")?.manifest.functions == ["setColor"])
        #expect(BundledFirmware.named("blink") == nil)
    }
}
