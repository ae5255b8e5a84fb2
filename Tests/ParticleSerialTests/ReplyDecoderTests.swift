import ParticleCore
import ParticleSerial
import Testing

/// Replies as Device OS sends them (strings from the listening-mode spec), decoded whole, split at every byte, and
/// fed one byte at a time.
@Suite("ReplyDecoder on recorded bytes")
struct ReplyDecoderTests {
    static let photonID = "Your device id is 0123456789abcdef01234567\r\n"
    static let coreID = "Your core id is 53FF6E066667574818431267\r\n"
    static let boronID = "Device ID: e00fce681f2a3b4c5d6e7f80\r\nSerial Number: P046AB123456789\r\nIMEI: 352753090000000\r\nICCID: 89014103000000000000\r\nCell Radio Version: L0.0.00.00.05.12\r\n"
    static let secretID = "Device ID: e00fce681f2a3b4c5d6e7f80\r\nDevice Secret: ABCDEFGHIJKLMNO\r\nSerial Number: P046AB123456789\r\n"
    static let mac = "Your device MAC address is\r\n6C:0B:84:12:34:56\r\n"
    static let version = "system firmware version: 6.2.0-rc.27\n\r\n"
    static let minimal = "system firmware version: 1.5.2 minimal\n\r\n"
    static let systemInfo = #"{"p":13,"imei":"352753090000000","iccid":"89014103000000000000","cellfw":"L0.0.00.00.05.12","m":[{"s":49152,"l":"m","vc":30,"vv":30,"f":"b","n":"0","v":2101,"d":[]},{"s":1572864,"l":"m","vc":30,"vv":30,"f":"s","n":"1","v":6200,"d":[{"f":"b","n":"0","v":2101}]},{"s":262144,"l":"m","vc":30,"vv":28,"u":"ab","f":"u","n":"1","v":6,"d":[{"f":"s","n":"1","v":6200}]}]}"# + "\r\n"
    static let strayLog = "0000012345 [system] INFO: Device ID: is not what this is\r\n0000012346 [comm] WARN: {partial\r\n"

    static let boronIdentity = IdentifyReply(deviceID: testID("e00fce681f2a3b4c5d6e7f80"), serialNumber: "P046AB123456789",
                                              imei: "352753090000000", iccid: "89014103000000000000",
                                              cellRadioVersion: "L0.0.00.00.05.12")

    static let cases: [(String, ReplyDecoder.Expectation, ListeningModeReply)] = [
        (photonID, .identity, .identity(IdentifyReply(deviceID: testID("0123456789abcdef01234567")))),
        (coreID, .identity, .identity(IdentifyReply(deviceID: testID("53ff6e066667574818431267")))),
        (boronID, .identity, .identity(boronIdentity)),
        (mac, .mac, .mac("6c:0b:84:12:34:56")),
        (version, .version, .version("6.2.0-rc.27")),
        (minimal, .version, .version("1.5.2")),
        ("Device claimed: yes\r\n", .claimed, .claimed(true)),
        ("Device claimed: no\r\n", .claimed, .claimed(false)),
    ]

    /// Decodes `text` fed in the given pieces; finishes as a caller does after silence.
    static func decode(_ pieces: [[UInt8]], _ expectation: ReplyDecoder.Expectation) throws -> ListeningModeReply? {
        var decoder = ReplyDecoder(expecting: expectation)
        for piece in pieces {
            decoder.append(piece)
            if let reply = try decoder.nextReply() { return reply }
        }
        return decoder.finish()
    }

    @Test(arguments: cases)
    func wholeReply(text: String, expectation: ReplyDecoder.Expectation, expected: ListeningModeReply) throws {
        #expect(try Self.decode([Array(text.utf8)], expectation) == expected)
    }

    @Test(arguments: cases)
    func replySplitAtEveryByte(text: String, expectation: ReplyDecoder.Expectation, expected: ListeningModeReply) throws {
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            let reply = try Self.decode([Array(bytes[..<cut]), Array(bytes[cut...])], expectation)
            #expect(reply == expected, "cut at \(cut)")
        }
        #expect(try Self.decode(bytes.map { [$0] }, expectation) == expected)
    }

    @Test(arguments: cases)
    func strayLogLinesBeforeTheReplyAreSkipped(text: String, expectation: ReplyDecoder.Expectation, expected: ListeningModeReply) throws {
        #expect(try Self.decode([Array((Self.strayLog + "\r\n" + text).utf8)], expectation) == expected)
    }

    @Test func theSingleLineIdentityIsCompleteWithoutWaitingForSilence() throws {
        var decoder = ReplyDecoder(expecting: .identity)
        decoder.append(Array(Self.photonID.utf8))
        #expect(try decoder.nextReply() == .identity(IdentifyReply(deviceID: testID("0123456789abcdef01234567"))))
    }

    @Test func theKeyValueIdentityWaitsForSilence() throws {
        var decoder = ReplyDecoder(expecting: .identity)
        decoder.append(Array(Self.boronID.utf8))
        #expect(try decoder.nextReply() == nil)
        #expect(decoder.isCollecting)
        #expect(decoder.finish() == .identity(Self.boronIdentity))
    }

    @Test("the i and s replies map to the one device identity: what each tells, nothing more")
    func repliesMapToTheDeviceIdentity() throws {
        #expect(Self.boronIdentity.identity == DeviceIdentity(
            id: testID("e00fce681f2a3b4c5d6e7f80"), serialNumber: "P046AB123456789", imei: "352753090000000",
            iccid: "89014103000000000000"))
        guard case .systemInfo(let info) = try Self.decode([Array(Self.systemInfo.utf8)], .systemInfo) else {
            Issue.record("no system information")
            return
        }
        #expect(info.platform == Platform.named("boron"))
        #expect(info.identity == DeviceIdentity(platform: Platform.withID(13), imei: "352753090000000",
                                                iccid: "89014103000000000000"))
        // Both together, as provisioning records a device: the `i` reply's fields win, `s` adds the platform.
        let merged = Self.boronIdentity.identity.merging(info.identity)
        #expect(merged.id == testID("e00fce681f2a3b4c5d6e7f80"))
        #expect(merged.platform?.id == 13 && merged.platform?.name == "boron")
        #expect(merged.serialNumber == "P046AB123456789")
    }

    @Test func theDeviceSecretIsNeverKept() throws {
        let reply = try Self.decode([Array(Self.secretID.utf8)], .identity)
        guard case .identity(let identity) = reply else { Issue.record("no identity"); return }
        #expect(identity.serialNumber == "P046AB123456789")
        #expect(identity.otherProperties.isEmpty)
        #expect(!String(describing: identity).contains("ABCDEFGHIJKLMNO"))
    }

    @Test func systemInfoIsParsedFromEveryCut() throws {
        let bytes = Array(Self.systemInfo.utf8)
        for cut in stride(from: 0, through: bytes.count, by: 1) {
            let reply = try Self.decode([Array(bytes[..<cut]), Array(bytes[cut...])], .systemInfo)
            guard case .systemInfo(let info) = reply else { Issue.record("cut \(cut): \(String(describing: reply))"); return }
            #expect(info.platformID == 13)
            #expect(info.imei == "352753090000000")
            #expect(info.modules.map(\.functionName) == ["bootloader", "system", "user"])
            #expect(info.modules[1].version == 6200)
            #expect(info.modules[1].dependencies.first?.functionName == "bootloader")
            #expect(info.modules[2].isValid == false)
        }
    }

    @Test func brokenSystemInfoJSONIsMalformed() {
        var decoder = ReplyDecoder(expecting: .systemInfo)
        decoder.append(Array("{\"p\":6,\"m\":[{\"f\":\"s\"}]}\r\n".utf8))
        #expect(throws: MalformedReply.self) { _ = try decoder.nextReply() }
    }

    @Test func aDeviceIDThatIsNotHexIsMalformed() {
        var decoder = ReplyDecoder(expecting: .identity)
        decoder.append(Array("Your device id is 0123456789abcdef0123456Z\r\n".utf8))
        #expect(throws: MalformedReply(reason: "the device ID is not 24 hex digits")) { _ = try decoder.nextReply() }
    }

    @Test func garbageNeverProducesAReply() throws {
        var decoder = ReplyDecoder(expecting: .identity)
        decoder.append((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) | 0x80 } + [0x0d, 0x0a])
        #expect(try decoder.nextReply() == nil)
        #expect(decoder.finish() == nil)
        #expect(decoder.ignoredByteCount > 0)
    }

    @Test func aMACLineWithoutItsHeaderIsIgnored() throws {
        var decoder = ReplyDecoder(expecting: .mac)
        decoder.append(Array("6c:0b:84:12:34:56\r\n".utf8))
        #expect(try decoder.nextReply() == nil)
    }

    @Test func anOverlongLineIsCutSoMemoryStaysBounded() {
        var lines = LineAccumulator()
        let produced = lines.append([UInt8](repeating: 0x41, count: LineAccumulator.maximumLineLength * 2 + 5))
        #expect(produced.count == 2)
        #expect(lines.pending.count == 5)
    }
}
