import ParticleStation
import Testing

@Suite struct ProfileNameTemplateTests {
    @Test func rendersTheSequence() throws {
        #expect(try NameTemplate(parsing: "widget-{seq:05}").render(42) == "widget-00042")
        #expect(try NameTemplate(parsing: "widget-{seq:05}").render(1234567) == "widget-1234567")
        #expect(try NameTemplate(parsing: "{seq}_line3").render(7) == "7_line3")
        #expect(try NameTemplate(parsing: "w{seq:01}").render(0) == "w0")
        #expect(try NameTemplate(parsing: "widget-{seq:05}").text == "widget-{seq:05}")
    }

    @Test(arguments: [
        ("widget", "a name template needs {seq} or {seq:0N} (e.g. widget-{seq:05}) so every device gets its own name"),
        ("widget-{seq", "the name template's '{' is never closed; write {seq} or {seq:0N}"),
        ("widget-{n}", "the name template has {n}; the only placeholders are {seq} and {seq:0N} (N from 1 to 20)"),
        ("widget-{seq:5}", "the name template has {seq:5}; the only placeholders are {seq} and {seq:0N} (N from 1 to 20)"),
        ("widget-{seq:021}", "the name template has {seq:021}; the only placeholders are {seq} and {seq:0N} (N from 1 to 20)"),
        ("{seq}-{seq}", "a name template has exactly one {seq} and no other braces"),
    ])
    func badTemplatesAreRefused(template: String, message: String) {
        #expect(throws: ProfileError(message)) { try NameTemplate(parsing: template) }
    }

    @Test func theRenderedNameIsCheckedByTheCloudsRules() throws {
        #expect(throws: ProfileError("name template a b{seq}: the device name 'a b1' may only contain letters, digits, _ and -")) {
            try NameTemplate(parsing: "a b{seq}").render(1)
        }
        let long = String(repeating: "x", count: 60) + "{seq:04}"
        #expect(throws: ProfileError("name template \(long): the device name is longer than 63 characters")) {
            try NameTemplate(parsing: long).render(1)
        }
        // 24 hex digits would read as a device ID.
        #expect(throws: ProfileError("name template abcdef0123456789abcd{seq:04}: the device name 'abcdef0123456789abcd0001' would read as a device ID (24 hexadecimal digits)")) {
            try NameTemplate(parsing: "abcdef0123456789abcd{seq:04}").render(1)
        }
        // A profile refuses such a template when read, naming the key.
        #expect(throws: ProfileError("station.yaml: 'name_template': name template a b{seq}: the device name 'a b1' may only contain letters, digits, _ and -")) {
            try StationProfile.parse(yaml: "name_template: a b{seq}", source: "station.yaml", overrides: [])
        }
    }
}
