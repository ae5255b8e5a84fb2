import Foundation
import ParticleCore
import ParticleSerial
import Testing

/// One device-ID rule for every layer.
@Suite("Device ID")
struct DeviceIDTests {
    @Test func twentyFourASCIIHexDigitsInEitherCase() {
        #expect(DeviceID.normalized("E00FCE68A1B2C3D4E5F60718") == "e00fce68a1b2c3d4e5f60718")
        #expect(DeviceID.isValid("e00fce68a1b2c3d4e5f60718"))
    }

    @Test(arguments: ["", "e00fce68a1b2c3d4e5f6071", "e00fce68a1b2c3d4e5f607180", "g00fce68a1b2c3d4e5f60718",
                      "e00fce68 1b2c3d4e5f60718", "ｅ00fce68a1b2c3d4e5f6071"])
    func anythingElseIsNot(_ text: String) {
        #expect(!DeviceID.isValid(text))
        #expect(DeviceID.normalized(text) == nil)
    }

    @Test func aDeviceIDIsItsLowerCaseText() throws {
        let id = try #require(DeviceID("E00FCE68A1B2C3D4E5F60718"))
        #expect(id.rawValue == "e00fce68a1b2c3d4e5f60718")
        #expect("\(id)" == "e00fce68a1b2c3d4e5f60718")
        #expect(id == DeviceID("e00fce68a1b2c3d4e5f60718"))
        #expect(DeviceID("0123456789abcdef01234567")! < id)
    }

    @Test("encodes as a JSON string and decodes only a valid ID")
    func codable() throws {
        let id = try #require(DeviceID("e00fce68a1b2c3d4e5f60718"))
        #expect(JSONOutput.line(["id": id]) == #"{"id":"e00fce68a1b2c3d4e5f60718"}"#)
        let decoded = try JSONDecoder().decode([DeviceID].self, from: Data(#"["E00FCE68A1B2C3D4E5F60718"]"#.utf8))
        #expect(decoded == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([DeviceID].self, from: Data(#"["my-photon"]"#.utf8))
        }
    }

    /// The console decoder uses the same rule: a reply with a non-ASCII "hex" digit is malformed.
    @Test func theConsoleDecoderUsesIt() throws {
        var decoder = ReplyDecoder(expecting: .identity)
        decoder.append(Array("Your device id is ｅ00fce68a1b2c3d4e5f607\r\n".utf8))
        #expect(throws: (any Error).self) { try decoder.nextReply() }
    }
}
