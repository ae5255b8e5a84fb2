import Testing
@testable import ParticleUSB

@Suite("local firmware update messages (250-253)")
struct FirmwareUpdateTests {
    @Test("START announces the size; DATA wraps each chunk in field 1; chunks follow the device's chunk size")
    func messages() throws {
        let update = FirmwareUpdate(image: Array(repeating: 0xAB, count: 2500))
        #expect(update.startPayload == [0x08, 0xC4, 0x13])
        #expect(try FirmwareUpdate.chunkSize(fromStartReply: [0x08, 0x80, 0x08]) == 1024)
        #expect(try FirmwareUpdate.chunkSize(fromStartReply: []) == FirmwareUpdate.defaultChunkSize)
        #expect(update.chunks(of: 1024) == [0..<1024, 1024..<2048, 2048..<2500])
        let data = FirmwareUpdate.dataPayload(update.image[2048..<2500])
        #expect(Array(data.prefix(3)) == [0x0A, 0xC4, 0x03])
        #expect(data.count == 3 + 452)
    }
}
