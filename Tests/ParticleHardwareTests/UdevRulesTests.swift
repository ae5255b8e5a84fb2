import Foundation
import Glibc
import ParticleCore
import ParticleHardware
import Testing

/// The shipped udev rules must match every platform's CDC and DFU ids, and grant access the modern way.
@Suite("udev rules")
struct UdevRulesTests {
    struct Rule { var vendor: String; var product: String; var line: String }

    static func rules() throws -> [Rule] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("udev-rules/50-particle.rules"), encoding: .utf8)
        func value(_ key: String, in line: Substring) -> String? {
            guard let range = line.range(of: "\(key)==\"") else { return nil }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.compactMap { line in
            guard let vendor = value("ATTRS{idVendor}", in: line), let product = value("ATTRS{idProduct}", in: line)
            else { return nil }
            return Rule(vendor: vendor, product: product, line: String(line))
        }
    }

    static func matches(_ rules: [Rule], vendor: UInt16, product: UInt16) -> Bool {
        let v = String(format: "%04x", vendor), p = String(format: "%04x", product)
        return rules.contains { fnmatch($0.vendor, v, 0) == 0 && fnmatch($0.product, p, 0) == 0 }
    }

    @Test("every platform's CDC and DFU ids are covered", arguments: Platform.all)
    func coversPlatform(platform: Platform) throws {
        let rules = try Self.rules()
        let cdc = try #require(USBIdentity.cdcProductID(for: platform))
        let dfu = try #require(USBIdentity.dfuProductID(for: platform))
        #expect(Self.matches(rules, vendor: cdc.vendor, product: cdc.product))
        #expect(Self.matches(rules, vendor: dfu.vendor, product: dfu.product))
    }

    @Test func otherDevicesAreNotCovered() throws {
        let rules = try Self.rules()
        #expect(!Self.matches(rules, vendor: 0x0403, product: 0x6001))
        #expect(!Self.matches(rules, vendor: 0x1d50, product: 0x6018))
    }

    @Test func everyRuleUsesUaccessWithAGroupFallbackAndKeepsModemManagerAway() throws {
        let rules = try Self.rules()
        #expect(rules.count >= 2)
        for rule in rules {
            #expect(rule.line.contains(#"TAG+="uaccess""#))
            #expect(rule.line.contains(#"GROUP="plugdev""#))
            #expect(rule.line.contains(#"ENV{ID_MM_DEVICE_IGNORE}="1""#))
        }
    }
}
