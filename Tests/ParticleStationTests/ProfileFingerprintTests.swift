import ParticleStation
import Testing

/// The fingerprint the ledger keeps: what decides what a device ends up as, nothing else.
@Suite struct ProfileFingerprintTests {
    func fingerprint(_ yaml: String, _ overrides: [ProfileOverride] = []) throws -> String {
        try StationProfile.parse(yaml: yaml, source: "station.yaml", overrides: overrides).fingerprint
    }

    static let base = """
        product: widgets
        wifi: { ssid: Line3, security: wpa2-aes, password_env: A }
        name_template: "widget-{seq:05}"
        firmware: { name: functionVar }
        acceptance: [ { function: digitalread, argument: D7, expect: 0 } ]
        timeouts: { online: 90 }
        """

    @Test func isSixteenHexDigitsAndStableAcrossKeyOrderAndSpelling() throws {
        let first = try fingerprint(Self.base)
        #expect(first.count == 16 && first.allSatisfy(\.isHexDigit))
        let reordered = """
            timeouts: { online: 90 }
            acceptance: [ { expect: 0, argument: D7, function: digitalread } ]
            firmware: { name: FUNCTIONVAR, verify: true }
            name_template: "widget-{seq:05}"
            wifi: { password_env: A, security: WPA2_AES, ssid: Line3 }
            product: widgets
            """
        #expect(try fingerprint(reordered) == first)
        #expect(try fingerprint(Self.base) == first)
    }

    @Test func changesWithWhatDecidesTheDevice() throws {
        let first = try fingerprint(Self.base)
        #expect(try fingerprint(Self.base, [ProfileOverride(keyPath: "wifi.ssid", value: "Line4", flag: "--ssid")]) != first)
        #expect(try fingerprint(Self.base, [ProfileOverride(keyPath: "wifi.security", value: "wpa2", flag: "--security")]) != first)
        #expect(try fingerprint(Self.base, [ProfileOverride(keyPath: "name_template", value: "w-{seq}", flag: "--name-template")]) != first)
        #expect(try fingerprint(Self.base, [ProfileOverride(keyPath: "firmware.verify", value: "false", flag: "--no-verify")]) != first)
        #expect(try fingerprint(Self.base.replacingOccurrences(of: "expect: 0", with: "expect: 1")) != first)
    }

    @Test func doesNotChangeWithLimitsHooksPathsOrSecrets() throws {
        let first = try fingerprint(Self.base)
        let same: [ProfileOverride] = [
            ProfileOverride(keyPath: "timeouts.online", value: "30", flag: "--online-timeout"),
            ProfileOverride(keyPath: "timeouts.identify", value: "2", flag: "--identify-timeout"),
            ProfileOverride(keyPath: "retries", value: "3", flag: "--retries"),
            ProfileOverride(keyPath: "hooks.on_done", value: "lp", flag: "--on-done"),
            ProfileOverride(keyPath: "usb_paths", value: "1-1.*", flag: "--usb-path"),
            ProfileOverride(keyPath: "wifi.password_file", value: "/etc/x.psk", flag: "--password-file"),
        ]
        for override in same {
            #expect(try fingerprint(Self.base, [override]) == first, "\(override.flag)")
        }
    }
}
