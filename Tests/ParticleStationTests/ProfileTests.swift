import Foundation
import ParticleCore
import ParticleProvisioning
import ParticleStation
import Testing

/// The station profile read from YAML: every key's type, the messages a mistake gets, flags on top of the file.
@Suite struct ProfileTests {
    func parse(_ yaml: String, _ overrides: [ProfileOverride] = []) throws -> StationProfile {
        try StationProfile.parse(yaml: yaml, source: "station.yaml", overrides: overrides)
    }

    /// The message of the error `yaml` (with `overrides`) is refused with; the exit status is checked to be usage.
    func refusal(_ yaml: String, _ overrides: [ProfileOverride] = []) -> String? {
        do {
            _ = try parse(yaml, overrides)
            return nil
        } catch let error as ProfileError {
            #expect(error.exitStatus == .usage)
            return error.message
        } catch {
            Issue.record("not a ProfileError: \(error)")
            return nil
        }
    }

    static let full = """
        product: 12345
        owner: customer
        customer: ops@example.com
        client_id: widget-client
        wifi:
          ssid: Line3
          security: wpa2-aes
          password_env: LINE3_WIFI_PASSWORD
        name_template: "widget-{seq:05}"
        firmware:
          name: functionvar
          target: 5.8.0
          verify: false
        acceptance:
          - function: digitalread
            argument: D7
            expect: 0
          - variable: version
            expect: "1.2.0"
          - variable: count
            expect: 3
          - variable: uptime
        timeouts: { identify: 5, online: 90.5, flash: 120, hook: 10 }
        retries: 1
        usb_paths: ["1-1.*", "1-2"]
        hooks: { on_done: "lp -d labels", on_failed: "/opt/line3/red-light" }
        """

    @Test func theExampleParsesWithTheDocumentedValues() throws {
        let profile = try parse(StationProfile.exampleYAML)
        #expect(profile.owner == .user)
        #expect(profile.wifi == StationProfile.WiFi(ssid: "Line3", security: NetworkSecurity(.wpa2, cipher: .aes),
                                                   passwordEnvironment: "LINE3_WIFI_PASSWORD"))
        #expect(profile.nameTemplate?.text == "widget-{seq:05}")
        #expect(profile.timeouts == StationProfile.Timeouts(identify: 5, online: 90, flash: 120, hook: 10))
        #expect(profile.retries == 1)
        #expect(profile.usbPaths.isEmpty)
        #expect(profile.firmware == nil)
    }

    @Test func everyKeyIsRead() throws {
        let profile = try parse(Self.full)
        #expect(profile.product == "12345")
        #expect(profile.owner == .customer)
        #expect(profile.customer == "ops@example.com")
        #expect(profile.clientID == "widget-client")
        #expect(profile.wifi?.security?.description == "wpa2_aes")
        #expect(profile.firmware == StationProfile.Firmware(name: "functionVar", target: "5.8.0", verify: false))
        #expect(profile.acceptance == [
            .function(name: "digitalread", argument: "D7", expect: 0),
            .variable(name: "version", expect: .string("1.2.0")),
            .variable(name: "count", expect: .number("3")),
            .variable(name: "uptime", expect: nil),
        ])
        #expect(profile.timeouts.online == 90.5)
        #expect(profile.usbPaths == ["1-1.*", "1-2"])
        #expect(profile.hooks == StationProfile.Hooks(onDone: "lp -d labels", onFailed: "/opt/line3/red-light"))
    }

    @Test func aVariablesExpectedValueKeepsItsYAMLType() throws {
        let yaml = """
            acceptance:
              - { variable: a, expect: 1.5 }
              - { variable: b, expect: "1.5" }
              - { variable: c, expect: true }
              - { variable: d, expect: 0x10 }
              - { variable: e, expect: -2e3 }
              - { variable: f, expect: [1] }
            """
        #expect(refusal(yaml) == "station.yaml: 'acceptance[6].expect' must be a single value (text, number or true/false), not a list")
        let profile = try parse(yaml.replacingOccurrences(of: "\n  - { variable: f, expect: [1] }", with: ""))
        #expect(profile.acceptance == [
            .variable(name: "a", expect: .number("1.5")), .variable(name: "b", expect: .string("1.5")),
            .variable(name: "c", expect: .bool(true)), .variable(name: "d", expect: .string("0x10")),
            .variable(name: "e", expect: .number("-2e3")),
        ])
    }

    @Test func anEmptyFileIsTheDefaults() throws {
        #expect(try parse("") == StationProfile())
        #expect(try parse("# only comments\n") == StationProfile())
        let defaults = StationProfile()
        #expect(defaults.timeouts == StationProfile.Timeouts(identify: 5, online: 90, flash: 120, hook: 10))
        #expect(defaults.retries == 0 && defaults.owner == .user && defaults.acceptance.isEmpty)
    }

    @Test func anUnknownKeyIsNamedWithASuggestion() {
        #expect(refusal("wifi:\n  ssid: Line3\n  sside: x\n")
                == "station.yaml: unknown key 'wifi.sside' (did you mean 'wifi.ssid'?)")
        #expect(refusal("timeout: { online: 5 }\n") == "station.yaml: unknown key 'timeout' (did you mean 'timeouts'?)")
        #expect(refusal("ssid: Line3\n") == "station.yaml: unknown key 'ssid' (did you mean 'wifi.ssid'?)")
        #expect(refusal("nameTemplate: w-{seq}\n") == "station.yaml: unknown key 'nameTemplate' (did you mean 'name_template'?)")
        #expect(refusal("acceptance:\n  - function: f\n    argumnet: x\n")
                == "station.yaml: unknown key 'acceptance[1].argumnet' (did you mean 'acceptance[1].argument'?)")
        #expect(refusal("colour: blue\n") == "station.yaml: unknown key 'colour'")
    }

    @Test(arguments: [
        ("timeouts: { online: fast }", "station.yaml: 'timeouts.online' must be a number of seconds, not \"fast\""),
        ("timeouts: { identify: -1 }",
         "station.yaml: 'timeouts.identify' must be a number of seconds from 0.01 to 86400 (one day), not \"-1\""),
        ("timeouts: { flash: .inf }", "station.yaml: 'timeouts.flash' must be a number of seconds, not \".inf\""),
        ("timeouts: 5", "station.yaml: 'timeouts' must be a map of seconds (identify, online, flash, hook), not \"5\""),
        ("retries: many", "station.yaml: 'retries' must be a whole number from 0 to 10, not \"many\""),
        ("retries: 11", "station.yaml: 'retries' must be a whole number from 0 to 10, not \"11\""),
        ("owner: usr", "station.yaml: 'owner' must be user, product or customer, not \"usr\""),
        ("product: [1, 2]", "station.yaml: 'product' must be a product ID or slug, not a list"),
        ("product: my product", "station.yaml: 'product' must be a product ID or slug (letters, digits, - and _), not \"my product\""),
        ("wifi: Line3", "station.yaml: 'wifi' must be a map (ssid, security, password_env or password_file), not \"Line3\""),
        ("wifi: { ssid: Line3, security: wpa4 }",
         "station.yaml: 'wifi.security' must be one of none, open, wep, wpa, wpa2, wpa3, wpa_aes, wpa_tkip, wpa_mixed, wpa2_aes, wpa2_tkip, wpa2_mixed, not \"wpa4\""),
        ("wifi: { ssid: { a: 1 } }", "station.yaml: 'wifi.ssid' must be the network's name, not a map"),
        ("firmware: { name: tinker }",
         "station.yaml: 'firmware.name' must be a bundled firmware (functionVar, functionVarPub), not \"tinker\""),
        ("firmware: { name: functionVar, verify: maybe }", "station.yaml: 'firmware.verify' must be true or false, not \"maybe\""),
        ("firmware: { name: functionVar, target: 5.8 }",
         "station.yaml: 'firmware.target' must be a Device OS version such as 5.8.0, not \"5.8\""),
        ("acceptance: { function: f }",
         "station.yaml: 'acceptance' must be a list of checks (- function: … or - variable: …), not a map"),
        ("acceptance: [ { function: f, expect: high } ]",
         "station.yaml: 'acceptance[1].expect' must be a whole number (the function's return value), not \"high\""),
        ("acceptance: [ { function: f, variable: v } ]",
         "station.yaml: 'acceptance[1]' has both 'function' and 'variable'; give one check per item"),
        ("acceptance: [ { expect: 1 } ]", "station.yaml: 'acceptance[1]' needs 'function' or 'variable'"),
        ("acceptance: [ { variable: v, argument: x } ]", "station.yaml: 'acceptance[1].argument' is only for a function check"),
        ("usb_paths: 1-1.*", "station.yaml: 'usb_paths' must be a list of USB paths such as [\"1-1.*\"], not \"1-1.*\""),
        ("usb_paths: []", "station.yaml: 'usb_paths' is empty: leave it out to allow every USB path"),
        ("hooks: { on_done: [lp] }", "station.yaml: 'hooks.on_done' must be a shell command, not a list"),
        ("name_template: widget", "station.yaml: 'name_template': a name template needs {seq} or {seq:0N} (e.g. widget-{seq:05}) so every device gets its own name"),
        ("customer: nobody", "station.yaml: 'customer' must be the customer's email address, not \"nobody\""),
        ("- a\n- b", "station.yaml: the profile must be a map of keys (product, wifi, …), not a list"),
    ])
    func eachWrongTypeIsNamed(yaml: String, message: String) {
        #expect(refusal(yaml) == message)
    }

    @Test func rulesBetweenKeys() {
        #expect(refusal("owner: customer\nproduct: p\n")
                == "station.yaml: 'owner' customer needs 'customer' (--customer) and 'client_id' (--client-id)")
        #expect(refusal("owner: product\n") == "station.yaml: 'owner' product needs 'product' (--product)")
        #expect(refusal("owner: user\ncustomer: a@b.c\n")
                == "station.yaml: 'customer' is only for owner customer (the owner is user)")
        #expect(refusal("wifi: { security: wpa2 }\n")
                == "station.yaml: 'wifi' needs 'ssid' (the name of the network the devices join); add it or pass --ssid")
        #expect(refusal("wifi: { ssid: x, password_env: A, password_file: /b }\n")
                == "station.yaml: 'wifi.password_env' and 'wifi.password_file' are alternatives; give one")
    }

    @Test func aCustomerAloneImpliesOwnerCustomer() throws {
        let profile = try parse("product: p\ncustomer: a@b.c\nclient_id: c\n")
        #expect(profile.owner == .customer)
    }

    @Test func aPasswordInTheEnvironmentKeyIsNeverQuoted() {
        let message = refusal("wifi: { ssid: Line3, password_env: \"hunter2 secret!\" }\n")
        #expect(message == "station.yaml: 'wifi.password_env' must be the NAME of an environment variable holding the password (letters, digits and _, not starting with a digit), not the password itself")
        #expect(message?.contains("hunter2") == false)
    }

    @Test func secretsAreRefusedWhereverTheyAre() {
        let wifi = refusal("wifi:\n  ssid: Line3\n  password: hunter2hunter2\n")
        #expect(wifi == "station.yaml: 'wifi.password' would hold a secret, and secrets never live in the profile: put the Wi-Fi password in an environment variable named by 'wifi.password_env', in a file (mode 0600) named by 'wifi.password_file', or pipe it with --password-stdin")
        #expect(wifi?.contains("hunter2") == false)
        #expect(refusal("token: abc123\n") == "station.yaml: 'token' would hold a secret, and secrets never live in the profile: the station takes the usual access token (--token-stdin, PARTICLE_AUTH or `particlectl login`; an API user's non-expiring scoped token is best)")
        #expect(refusal("hooks:\n  on_done: lp\n  cloud: { token: abc }\n")?.hasPrefix("station.yaml: 'hooks.cloud.token' would hold a secret") == true)
        #expect(refusal("acceptance:\n  - variable: v\n    password: x\n")?.hasPrefix("station.yaml: 'acceptance[1].password' would hold a secret") == true)
        #expect(refusal("client_secret: s\n")?.hasSuffix("the product's client secret comes from PARTICLE_CLIENT_SECRET or --secret-stdin") == true)
    }

    @Test func notYAMLIsOneLineWithItsPlace() {
        let message = refusal("wifi:\n  ssid: [unclosed\n")
        #expect(message?.hasPrefix("station.yaml: not valid YAML: ") == true)
        #expect(message?.contains("line 3") == true || message?.contains("line 2") == true)
        #expect(message?.contains("\n") == false)
        #expect(refusal("retries: 1\nretries: 2\n")?.hasPrefix("station.yaml: not valid YAML: the key 'retries' appears twice") == true)
    }

    @Test func emptyValuesOfOptionalKeysAreAbsent() throws {
        let profile = try parse("product:\nwifi:\n  ssid: Line3\n  security:\nhooks:\n")
        #expect(profile.product == nil)
        #expect(profile.wifi == StationProfile.WiFi(ssid: "Line3"))
    }

    @Test func allowsMatchesUSBPathGlobs() throws {
        let profile = try parse("usb_paths: [\"1-1.*\", \"1-2\"]\n")
        #expect(profile.allows(usbPath: "1-1.3"))
        #expect(profile.allows(usbPath: "1-2"))
        #expect(!profile.allows(usbPath: "1-2.1"))
        #expect(!profile.allows(usbPath: "2-1.3"))
        #expect(StationProfile().allows(usbPath: "9-9.9"))
    }
}
