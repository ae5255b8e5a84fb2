import Foundation
import ParticleStation
import Testing

/// The README (its profile reference) names every key and every flag the reader knows.
@Suite struct ProfileDocsTests {
    @Test func theReferenceNamesEveryKeyAndFlag() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for key in ProfileSchema.keys where key.path.contains(".") || key.path.contains("[") || key.flag != nil {
            #expect(text.contains("`\(key.path)`"), "key \(key.path)")
            if let flag = key.flag { #expect(text.contains("`\(flag)`"), "flag \(flag)") }
        }
    }

    @Test func theExampleMentionsEveryFlag() {
        for key in ProfileSchema.keys {
            if let flag = key.flag { #expect(StationProfile.exampleYAML.contains(flag), "\(flag)") }
        }
    }
}
