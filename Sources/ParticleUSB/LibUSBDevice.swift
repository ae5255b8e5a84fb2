import CUSB
import Glibc
import ParticleCore

/// One Particle device opened through libusb: owns its libusb context, device handle and every transfer; no libusb
/// pointer leaves this type. Blocking: use it from one thread (the device's `IOThread`), never a cooperative one.
/// A transfer in progress gives up within ~50 ms of `cancellation` firing (libusb cancels it).
public final class LibUSBDevice: ControlTransferring {
    private let context: OpaquePointer
    private let handle: OpaquePointer
    /// "1-1.3": where the device is plugged in (as `DeviceIdentity.usbPath`).
    public let usbPath: String
    /// When set, a transfer in progress is cancelled as soon as it fires.
    public var cancellation: CancellationSignal?

    /// Opens the device plugged in at `usbPath`.
    public init(usbPath: String) throws(USBError) {
        self.usbPath = usbPath
        var newContext: OpaquePointer?
        let status = libusb_init(&newContext)
        guard status == 0, let newContext else { throw Self.error(status).on(usbPath) }
        do {
            handle = try Self.open(usbPath: usbPath, in: newContext)
        } catch {
            libusb_exit(newContext)
            throw error
        }
        context = newContext
    }

    deinit {
        libusb_close(handle)
        libusb_exit(context)
    }

    // MARK: - ControlTransferring

    public func control(_ setup: SetupPacket, data: [UInt8], timeoutMilliseconds: Int32) throws(USBError) -> [UInt8] {
        let headerSize = 8
        let total = headerSize + Int(setup.length)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: total)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: total)
        for (offset, byte) in setup.bytes.enumerated() { buffer[offset] = byte }
        if !setup.isIn {
            for (offset, byte) in data.prefix(Int(setup.length)).enumerated() { buffer[headerSize + offset] = byte }
        }
        guard let transfer = libusb_alloc_transfer(0) else { throw USBError(.io("out of memory")).on(usbPath) }
        defer { libusb_free_transfer(transfer) }
        let completed = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { completed.deallocate() }
        completed.initialize(to: 0)
        libusb_fill_control_transfer(transfer, handle, buffer, { transfer in
            guard let flag = transfer?.pointee.user_data?.assumingMemoryBound(to: Int32.self) else { return }
            flag.pointee = 1
        }, UnsafeMutableRawPointer(completed), UInt32(max(1, timeoutMilliseconds)))
        let submitted = libusb_submit_transfer(transfer)
        guard submitted == 0 else { throw Self.error(submitted).on(usbPath) }
        var cancelRequested = false
        while completed.pointee == 0 {
            if !cancelRequested, cancellation?.isFired == true {
                cancelRequested = true
                _ = libusb_cancel_transfer(transfer)
            }
            var period = timeval(tv_sec: 0, tv_usec: 50_000)
            let status = libusb_handle_events_timeout_completed(context, &period, completed)
            if status != 0 && status != LIBUSB_ERROR_INTERRUPTED.rawValue && status != LIBUSB_ERROR_TIMEOUT.rawValue {
                if !cancelRequested {
                    cancelRequested = true
                    _ = libusb_cancel_transfer(transfer)
                }
            }
        }
        let actual = Int(transfer.pointee.actual_length)
        switch transfer.pointee.status {
        case LIBUSB_TRANSFER_COMPLETED:
            guard setup.isIn else { return [] }
            return Array(UnsafeBufferPointer(start: buffer + headerSize, count: min(actual, Int(setup.length))))
        case LIBUSB_TRANSFER_STALL:
            throw USBError(.stalled).on(usbPath)
        case LIBUSB_TRANSFER_TIMED_OUT:
            throw USBError(.timedOut).on(usbPath)
        case LIBUSB_TRANSFER_NO_DEVICE:
            throw USBError(.disconnected).on(usbPath)
        case LIBUSB_TRANSFER_CANCELLED:
            throw USBError(cancellation?.isFired == true ? .cancelled : .io("the transfer was cancelled")).on(usbPath)
        case LIBUSB_TRANSFER_OVERFLOW:
            throw USBError(.protocolViolation("the device sent more than was asked")).on(usbPath)
        default:
            throw USBError(.io("transfer error")).on(usbPath)
        }
    }

    // MARK: - Private

    /// Finds the device by its bus number and address (read from sysfs for `usbPath`), else by its port chain.
    private static func open(usbPath: String, in context: OpaquePointer) throws(USBError) -> OpaquePointer {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw error(Int32(truncatingIfNeeded: count)).on(usbPath) }
        defer { libusb_free_device_list(list, 1) }
        let devices = (0..<Int(count)).compactMap { list[$0] }
        let address = SysfsUSBAddress(usbPath: usbPath)
        let match = devices.first { device in
            if let address {
                return libusb_get_bus_number(device) == address.bus && libusb_get_device_address(device) == address.device
            }
            return portPath(of: device) == usbPath
        }
        guard let match else { throw USBError(.noDevice, device: usbPath) }
        var handle: OpaquePointer?
        let status = libusb_open(match, &handle)
        guard status == 0, let handle else { throw error(status).on(usbPath) }
        return handle
    }

    private static func portPath(of device: OpaquePointer) -> String {
        var ports = [UInt8](repeating: 0, count: 8)
        let count = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        let chain = ports.prefix(max(0, Int(count))).map(String.init).joined(separator: ".")
        return "\(libusb_get_bus_number(device))-\(chain)"
    }

    static func error(_ status: Int32) -> USBError {
        switch libusb_error(rawValue: status) {
        case LIBUSB_ERROR_ACCESS: USBError(.accessDenied)
        case LIBUSB_ERROR_NO_DEVICE: USBError(.disconnected)
        case LIBUSB_ERROR_NOT_FOUND: USBError(.noDevice)
        case LIBUSB_ERROR_PIPE: USBError(.stalled)
        case LIBUSB_ERROR_TIMEOUT: USBError(.timedOut)
        case LIBUSB_ERROR_BUSY: USBError(.io("the device is busy (claimed by another program)"))
        default: USBError(.io(String(cString: libusb_error_name(status))))
        }
    }
}

/// The bus number and device address of a USB device, from sysfs (`/sys/bus/usb/devices/<usb path>/busnum|devnum`).
struct SysfsUSBAddress {
    var bus: UInt8
    var device: UInt8

    init?(usbPath: String) {
        guard !usbPath.contains("/"), !usbPath.isEmpty,
              let bus = Self.number(at: "/sys/bus/usb/devices/\(usbPath)/busnum"),
              let device = Self.number(at: "/sys/bus/usb/devices/\(usbPath)/devnum") else { return nil }
        self.bus = bus
        self.device = device
    }

    private static func number(at path: String) -> UInt8? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = Glibc.read(fd, &bytes, bytes.count)
        guard count > 0 else { return nil }
        let digits = bytes.prefix(count).prefix { $0 != UInt8(ascii: "\n") }
        return UInt8(String(decoding: digits, as: UTF8.self))
    }
}

/// The clock of a real device: monotonic time, and waits that a `CancellationSignal` cuts short.
public final class MonotonicSchedulerClock: SchedulerClock {
    public var cancellation: CancellationSignal?

    public init(cancellation: CancellationSignal? = nil) { self.cancellation = cancellation }

    public func now() -> Int64 { MonotonicDeadline.now() }

    public func sleep(until time: Int64) throws(USBError) {
        while true {
            if cancellation?.isFired == true { throw USBError(.cancelled) }
            let remaining = time - now()
            if remaining <= 0 { return }
            var entries = cancellation?.pollEntry.map { [$0] } ?? []
            _ = poll(&entries, nfds_t(entries.count), Int32(clamping: remaining))
        }
    }
}
