import Testing
@testable import ParticleCloud

@Suite struct RequestEncodingTests {
    @Test func formEncodingEscapesEverythingButUnreserved() {
        let text = FormField.encode([FormField("arg", "255,0,0"), FormField("name", "a b&c=d/é"), FormField("e", "x@y.z+1")])
        #expect(text == "arg=255%2C0%2C0&name=a%20b%26c%3Dd%2F%C3%A9&e=x%40y.z%2B1")
    }

    @Test func formDecodingRoundTripsAndTreatsPlusAsSpace() {
        let fields = [FormField("scope", "customer=jane@example.com"), FormField("p", "s3cr et+&")]
        #expect(FormField.decode(FormField.encode(fields)) == fields)
        #expect(FormField.decode("a=b+c&d") == [FormField("a", "b c"), FormField("d", "")])
    }

    @Test func pathSegmentsAreEscaped() {
        #expect(CloudRequest.segment("spark/status") == "spark%2Fstatus")
        #expect(CloudRequest.segment("my device") == "my%20device")
        #expect(CloudRequest.segment("api+x@api.particle.io") == "api+x@api.particle.io")
    }

    @Test func targetAddsTheQuery() {
        #expect(CloudRequest(.get, "/v1/products/1/devices", query: [FormField("perPage", "100")]).target
                == "/v1/products/1/devices?perPage=100")
    }

    @Test(arguments: ["0123456789abcdef01234567", "0123456789ABCDEF01234567"])
    func deviceIDsAreRecognisedAndLowerCased(id: String) throws {
        let reference = try DeviceReference(id)
        #expect(reference.isID)
        #expect(reference.value == id.lowercased())
    }

    @Test(arguments: ["gongbot", "my_device-2", "0123"])
    func namesAreAccepted(name: String) throws {
        let reference = try DeviceReference(name)
        #expect(!reference.isID)
        #expect(reference.value == name)
    }

    @Test(arguments: ["", "a/b", "../etc", "name with space", String(repeating: "x", count: 64)])
    func malformedDeviceArgumentsAreUsageErrors(text: String) {
        #expect(throws: (any Error).self) { try DeviceReference(text) }
    }

    @Test(arguments: [("devices:list", true), ("devices.function:call", true), ("events:get", true),
                      ("devices", false), (":list", false), ("devices:", false), ("Devices:List", false),
                      ("a:b:c", false), ("devices..x:get", false)])
    func scopeShapes(scope: String, valid: Bool) {
        #expect(TeamAPI.isValidScope(scope) == valid)
    }
}
