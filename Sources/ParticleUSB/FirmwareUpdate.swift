import struct Foundation.Data

/// Local firmware update over control requests (spec §3): START {size} → the device erases and answers its chunk
/// size → DATA chunks in order → FINISH, after which the device validates the image, answers, and resets to apply
/// it. Any failure after START cancels the update on the device (CANCEL), which keeps its old firmware.
public struct FirmwareUpdate: Sendable {
    /// Device OS answers 1024; used when a device answers 0.
    public static let defaultChunkSize = 1024
    /// Erasing the OTA region can take seconds: START and FINISH get at least this long (ms).
    public static let slowRequestMilliseconds: Int64 = 60_000
    /// A DATA request is a few milliseconds of flash writing: CHECKed soon and often at first, so that the device
    /// is not left idle between chunks (the default schedule's first CHECK waits 50 ms), then as usual.
    public static let dataCheckIntervals: [Int64] = [2, 2, 5, 5, 10, 20, 50, 100, 250, 500, 1000]

    public let image: [UInt8]

    public init(image: [UInt8]) {
        self.image = image
    }

    /// START's payload: {1 size, 2 format BIN (0, the default, so not sent)}.
    public var startPayload: [UInt8] {
        var request = Particle_Ctrl_StartFirmwareUpdateRequest()
        request.size = UInt32(clamping: image.count)
        request.format = .bin
        return request.payload
    }

    /// DATA's payload for one chunk: {1 data}.
    public static func dataPayload(_ chunk: ArraySlice<UInt8>) -> [UInt8] {
        var request = Particle_Ctrl_FirmwareUpdateDataRequest()
        request.data = Data(chunk)
        return request.payload
    }

    /// The chunk size a START reply announces.
    public static func chunkSize(fromStartReply reply: [UInt8]) throws(USBError) -> Int {
        let size = Int(try Particle_Ctrl_StartFirmwareUpdateReply(reply: reply, of: RequestType.startFirmwareUpdate).chunkSize)
        return size > 0 ? min(size, 65_000) : defaultChunkSize
    }

    /// The byte ranges of the chunks, in order.
    public func chunks(of size: Int) -> [Range<Int>] {
        stride(from: 0, to: image.count, by: max(1, size)).map { $0..<min(image.count, $0 + max(1, size)) }
    }
}

extension ParticleUSBClient {
    /// Loads `image` into the device; `progress(sent, total)` after each chunk. The device resets once FINISH has
    /// been answered. On failure the update is cancelled on the device (best effort) and the error is thrown.
    public func updateFirmware(_ update: FirmwareUpdate, progress: @Sendable (Int, Int) -> Void) async throws(USBError) {
        guard !update.image.isEmpty else { throw USBError(.requestFailed(ResultCode(-1351)), requestType: RequestType.startFirmwareUpdate) }
        let slow = max(timeoutMilliseconds, FirmwareUpdate.slowRequestMilliseconds)
        let reply = try await channel.send(ControlRequest(type: RequestType.startFirmwareUpdate, payload: update.startPayload,
                                                          timeoutMilliseconds: slow))
        do {
            let chunkSize = try FirmwareUpdate.chunkSize(fromStartReply: reply)
            // One chunk at a time: the device writes each at its running offset, so order matters more than overlap.
            for range in update.chunks(of: chunkSize) {
                _ = try await channel.send(ControlRequest(type: RequestType.firmwareUpdateData,
                                                          payload: FirmwareUpdate.dataPayload(update.image[range]),
                                                          timeoutMilliseconds: timeoutMilliseconds,
                                                          checkIntervals: FirmwareUpdate.dataCheckIntervals))
                progress(range.upperBound, update.image.count)
            }
            _ = try await channel.send(ControlRequest(type: RequestType.finishFirmwareUpdate, timeoutMilliseconds: slow))
        } catch {
            if error.kind != .disconnected {
                _ = await channel.send([ControlRequest(type: RequestType.cancelFirmwareUpdate, timeoutMilliseconds: 2000)])
            }
            throw error
        }
    }
}
