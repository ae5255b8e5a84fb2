import ParticleCore
import ParticleProvisioning
import ParticleStation
import Testing

/// Flags on top of the profile: they win, and they are judged by the same rules.
@Suite struct ProfileOverrideTests {
    func override(_ keyPath: String, _ value: String, _ flag: String) -> ProfileOverride {
        ProfileOverride(keyPath: keyPath, value: value, flag: flag)
    }

    func refusal(_ yaml: String, _ overrides: [ProfileOverride]) -> String? {
        do {
            _ = try StationProfile.parse(yaml: yaml, source: "station.yaml", overrides: overrides)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func flagsBeatTheFile() throws {
        let yaml = """
            wifi: { ssid: Line3, security: wpa2, password_env: LINE3 }
            timeouts: { online: 90 }
            usb_paths: ["1-1.*"]
            firmware: { name: functionVar }
            """
        let profile = try StationProfile.parse(yaml: yaml, source: "station.yaml", overrides: [
            override("wifi.ssid", "Line4", "--ssid"),
            override("timeouts.online", "30", "--online-timeout"),
            override("usb_paths", "2-1", "--usb-path"),
            override("usb_paths", "2-2.*", "--usb-path"),
            override("wifi.password_file", "/etc/line4.psk", "--password-file"),
            override("firmware.verify", "false", "--no-verify"),
        ])
        #expect(profile.wifi == StationProfile.WiFi(ssid: "Line4", security: NetworkSecurity(.wpa2),
                                                   passwordEnvironment: nil, passwordFile: "/etc/line4.psk"))
        #expect(profile.timeouts.online == 30)
        #expect(profile.timeouts.identify == 5)
        #expect(profile.usbPaths == ["2-1", "2-2.*"])
        #expect(profile.firmware == StationProfile.Firmware(name: "functionVar", verify: false))
    }

    @Test func flagsGetTheSameChecksNamingTheFlag() {
        #expect(refusal("timeouts: { online: 90 }", [override("timeouts.online", "fast", "--online-timeout")])
                == "--online-timeout must be a number of seconds, not \"fast\"")
        #expect(refusal("", [override("wifi.ssid", "L", "--ssid"), override("wifi.security", "wpa4", "--security")])
                == "--security must be one of \(NetworkSecurity.acceptedNames.joined(separator: ", ")), not \"wpa4\"")
        #expect(refusal("", [override("name_template", "dev {seq}", "--name-template")])
                == "--name-template: name template dev {seq}: the device name 'dev 1' may only contain letters, digits, _ and -")
        #expect(refusal("", [override("firmware.name", "tinker", "--firmware")])
                == "--firmware must be a bundled firmware (functionVar, functionVarPub), not \"tinker\"")
        #expect(refusal("", [override("retries", "-1", "--retries")])
                == "--retries must be a whole number from 0 to 10, not \"-1\"")
    }

    @Test func aFlagThatNeedsAnotherSaysWhich() {
        #expect(refusal("", [override("wifi.security", "wpa2", "--security")])
                == "--security needs --ssid (the name of the network the devices join)")
        #expect(refusal("", [override("firmware.target", "5.8.0", "--firmware-target")])
                == "--firmware-target needs --firmware (a bundled firmware)")
        #expect(refusal("", [override("owner", "customer", "--owner")])
                == "--owner customer needs 'product' (--product) and 'customer' (--customer) and 'client_id' (--client-id)")
    }

    @Test func noFileAndFlagsOnlyWorks() throws {
        let profile = try StationProfile.load(path: nil, overrides: [
            override("wifi.ssid", "Line3", "--ssid"),
            override("name_template", "widget-{seq:05}", "--name-template"),
            override("retries", "2", "--retries"),
        ])
        #expect(profile.wifi == StationProfile.WiFi(ssid: "Line3"))
        #expect(try profile.nameTemplate?.render(16) == "widget-00016")
        #expect(profile.retries == 2)
        #expect(try StationProfile.load(path: nil, overrides: []) == StationProfile())
    }

    @Test func aFlagFillsAnEmptySectionOfTheFile() throws {
        let profile = try StationProfile.parse(yaml: "wifi:\n", source: "station.yaml",
                                               overrides: [override("wifi.ssid", "Line3", "--ssid")])
        #expect(profile.wifi?.ssid == "Line3")
    }

    @Test func anOverrideOfAnUnknownKeyIsRefused() {
        #expect(refusal("", [override("wifi.sside", "x", "--sside")]) == "--sside: 'wifi.sside' is not a profile key that a flag can set")
        #expect(refusal("", [override("wifi.password", "x", "--password")])?.hasPrefix("--password: secrets never live in the profile") == true)
    }
}
