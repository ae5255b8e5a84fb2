import Foundation
import ParticleCloud
import ParticleCore
import ParticleFirmware

/// What to flash: a bundled firmware (verified against its manifest) or files from disk.
public enum FirmwareSelection: Sendable {
    case bundled(BundledFirmware)
    case files([FirmwareSourceFile])

    /// A bundled name, or paths to source files.
    public static func resolve(_ arguments: [String]) throws -> FirmwareSelection {
        if arguments.count == 1, let bundled = BundledFirmware.named(arguments[0]) { return .bundled(bundled) }
        var files: [FirmwareSourceFile] = []
        for path in arguments {
            guard let data = FileManager.default.contents(atPath: path) else {
                let known = BundledFirmware.all.map(\.name).joined(separator: ", ")
                throw UserError(.notFound, "'\(path)' is neither a bundled firmware (\(known)) nor a readable file")
            }
            files.append(FirmwareSourceFile(filename: URL(fileURLWithPath: path).lastPathComponent, data: data))
        }
        guard !files.isEmpty else { throw UserError(.usage, "name a bundled firmware or source files") }
        return .files(files)
    }

    public var sources: [FirmwareSourceFile] {
        switch self {
        case .bundled(let firmware): [FirmwareSourceFile(filename: firmware.fileName, data: Data(firmware.source.utf8))]
        case .files(let files): files
        }
    }

    public var name: String {
        switch self {
        case .bundled(let firmware): firmware.name
        case .files(let files): files.map(\.filename).joined(separator: ",")
        }
    }

    public var manifest: BundledFirmware.Manifest? {
        if case .bundled(let firmware) = self { return firmware.manifest }
        return nil
    }
}

/// A compile failure with the compiler's lines, as a user error (exit 1).
public struct CompileError: ParticleError {
    public var lines: [String]

    public init(lines: [String]) {
        self.lines = lines
    }

    public var exitStatus: ExitStatus { .remoteError }
    public var message: String {
        "the firmware did not compile: \(lines.first ?? "no compiler output"); fix the source and flash again"
    }
}

/// What a verified flash found.
public struct FlashOutcome: Sendable, Codable, Equatable {
    public var firmware: String
    public var verified: Bool
    public var functions: [String]?
    public var variables: [String]?
    public var verifyCall: String?
    public var returnValue: Int?

    public init(firmware: String, verified: Bool, functions: [String]? = nil, variables: [String]? = nil,
                verifyCall: String? = nil, returnValue: Int? = nil) {
        self.firmware = firmware
        self.verified = verified
        self.functions = functions
        self.variables = variables
        self.verifyCall = verifyCall
        self.returnValue = returnValue
    }

    enum CodingKeys: String, CodingKey {
        case firmware, verified, functions, variables
        case verifyCall = "verify_call"
        case returnValue = "return_value"
    }
}

/// Flashes firmware through the cloud and, when asked, proves it runs: the flash events, the device back online,
/// exactly the manifest's functions and variables, and the manifest's test call answering as expected.
public struct FirmwareFlasher: Sendable {
    public let cloud: CloudClient
    public let product: String?
    public var timeout: Double
    /// Called about once a second while waiting for the device to come back: seconds elapsed, seconds left.
    public var onWait: (@Sendable (_ elapsed: Double, _ remaining: Double) -> Void)?
    /// A shared `spark` stream (a station's) to follow the flash on; nil: the flash opens its own.
    public var statusStream: SharedStatusStream?

    public init(cloud: CloudClient, product: String?, timeout: Double = 120,
                onWait: (@Sendable (_ elapsed: Double, _ remaining: Double) -> Void)? = nil) {
        self.cloud = cloud
        self.product = product
        self.timeout = timeout
        self.onWait = onWait
    }

    public func flash(_ deviceID: String, _ firmware: FirmwareSelection, target: String?, verify: Bool,
                      progress: @Sendable (String) -> Void) async throws -> FlashOutcome {
        let device = try DeviceReference(deviceID)
        // Subscribe first, so that no event of this flash can be missed.
        var subscription: StatusFeed?
        if verify {
            if let statusStream {
                subscription = await statusStream.feed(deviceID: device.value)
            }
            if subscription == nil {
                subscription = StatusFeed(try await cloud.events.subscribe(EventFilter(prefix: "spark", device: device)))
            }
        }
        defer { subscription?.cancel() }
        do {
            let reply = try await cloud.firmware(product: product).flash(device, sources: firmware.sources, target: target)
            progress("upload accepted: \(reply.text)")
        } catch let error as CloudError {
            if let failure = CompileFailure.from(error) { throw CompileError(lines: failure.errorLines) }
            throw error
        }
        guard verify, let subscription else {
            return FlashOutcome(firmware: firmware.name, verified: false)
        }
        try await waitForFlash(subscription.events, deviceID: device.value, progress: progress)
        return try await check(device, firmware, progress: progress)
    }

    /// Follows the event stream: `spark/flash/status` success (or failed), then `spark/status` online.
    func waitForFlash(_ subscription: AsyncThrowingStream<CloudEvent, any Error>, deviceID: String,
                      progress: @Sendable (String) -> Void) async throws {
        let deadline = timeout
        let result: FlashProgress? = try await withThrowingTaskGroup(of: FlashProgress?.self) { group in
            group.addTask {
                var flashed = false
                for try await event in subscription where event.coreID?.lowercased() == deviceID {
                    let value = event.data.trimmingCharacters(in: .whitespaces)
                    switch (event.name, value) {
                    case ("spark/flash/status", "failed"): return .failed
                    case ("spark/flash/status", "success"): flashed = true
                    case ("spark/status", "online") where flashed: return .online
                    default: break
                    }
                }
                return .streamEnded
            }
            group.addTask { [onWait] in
                try await DeadlineTicker(seconds: deadline, tick: onWait).run()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        switch result {
        case .online:
            progress("flashed; device back online")
        case .failed:
            throw FlashError(.reportedFailure)
        case .streamEnded:
            throw FlashError(.streamEnded)
        case nil:
            throw FlashError(.notBackOnline(seconds: deadline))
        }
    }

    /// How a flash ended, as the event stream told it.
    enum FlashProgress: Sendable { case online, failed, streamEnded }

    /// Device info lists exactly the manifest's functions and variables; the test call answers as expected.
    func check(_ device: DeviceReference, _ firmware: FirmwareSelection,
               progress: @Sendable (String) -> Void) async throws -> FlashOutcome {
        let info = try await cloud.devices(product: product).info(device)
        let functions = (info.functions ?? []).sorted()
        let variables = (info.variables ?? [:]).keys.sorted()
        var outcome = FlashOutcome(firmware: firmware.name, verified: true, functions: functions, variables: variables)
        guard let manifest = firmware.manifest else { return outcome }
        guard functions == manifest.functions.sorted(), variables == manifest.variables.keys.sorted() else {
            throw FlashError(.otherFirmware(expected: manifest.name, functions: functions, variables: variables))
        }
        progress("functions and variables match \(manifest.name)")
        let call = manifest.verify
        let reply = try await cloud.devices(product: product).call(device, call.function, argument: call.argument)
        outcome.verifyCall = "\(call.function)(\"\(call.argument)\")"
        outcome.returnValue = reply.returnValue
        guard reply.returnValue == call.expect else {
            throw FlashError(.wrongReturnValue(firmware: manifest.name, call: "\(call.function)(\"\(call.argument)\")",
                                               got: reply.returnValue, expected: call.expect))
        }
        progress("\(call.function)(\"\(call.argument)\") returned \(call.expect)")
        return outcome
    }
}

/// Sleeps until a deadline, calling `tick` about once a second with the seconds elapsed and left, and a last time with
/// none left when the deadline passes — however late a loaded machine wakes the sleeper, the wait's end is reported.
struct DeadlineTicker: Sendable {
    var seconds: Double
    var tick: (@Sendable (_ elapsed: Double, _ remaining: Double) -> Void)?

    func run() async throws {
        let start = ContinuousClock.now
        while true {
            let elapsed = Self.seconds(ContinuousClock.now - start)
            let left = seconds - elapsed
            if left <= 0 {
                tick?(max(elapsed, seconds), 0)
                return
            }
            tick?(elapsed, left)
            try await Task.sleep(nanoseconds: UInt64(min(1, left) * 1_000_000_000))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
