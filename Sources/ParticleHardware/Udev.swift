import CUdev
import ParticleCore

/// The libudev context. Owns one reference to a `struct udev`; every libudev pointer in particlectl lives inside this
/// file, and every `*_new`/`*_ref` here is balanced by an `*_unref` before the owning value goes away.
///
/// Not Sendable: libudev handles belong to one thread. Use a context inside one synchronous function or task and
/// hand plain values (`UdevDevice`, `DeviceIdentity`) across.
final class UdevContext {
    let handle: OpaquePointer

    init() throws {
        guard let handle = udev_new() else {
            throw UserError(.io, "cannot initialise libudev (is /sys mounted?)")
        }
        self.handle = handle
    }

    deinit { udev_unref(handle) }

    /// Syspaths of the devices matching a subsystem (and, when given, a DEVTYPE).
    func syspaths(subsystem: String, devtype: String? = nil) throws -> [String] {
        guard let enumerate = udev_enumerate_new(handle) else {
            throw UserError(.io, "cannot enumerate devices through libudev")
        }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, subsystem)
        if let devtype { udev_enumerate_add_match_property(enumerate, "DEVTYPE", devtype) }
        if udev_enumerate_scan_devices(enumerate) < 0 {
            throw UserError(.io, "libudev could not scan the \(subsystem) devices")
        }
        var paths: [String] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { paths.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        return paths
    }

    /// A snapshot of one device, or nil when it vanished in the meantime.
    func device(syspath: String) -> UdevDevice? {
        guard let device = udev_device_new_from_syspath(handle, syspath) else { return nil }
        defer { udev_device_unref(device) }
        return UdevDevice(device)
    }
}

/// Plain values read from a udev device and its USB parent: safe to keep and pass around.
struct UdevDevice: Sendable, Hashable {
    var syspath: String
    var subsystem: String?
    var devtype: String?
    var devnode: String?
    /// The action of a hot-plug event ("add", "remove" …); nil for enumerated devices.
    var action: String?
    /// The USB device this node belongs to (itself, for a usb_device).
    var usbSyspath: String?
    var vendorID: UInt16?
    var productID: UInt16?
    var serialNumber: String?

    /// Reads a borrowed `udev_device`; the caller keeps ownership.
    init(_ device: OpaquePointer) {
        func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        syspath = string(udev_device_get_syspath(device)) ?? ""
        subsystem = string(udev_device_get_subsystem(device))
        devtype = string(udev_device_get_devtype(device))
        devnode = string(udev_device_get_devnode(device))
        action = string(udev_device_get_action(device))

        // The parent returned here is owned by `device`: it must not be unreferenced.
        let usb: OpaquePointer? = (subsystem == "usb" && devtype == "usb_device")
            ? device
            : udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device")
        if let usb {
            usbSyspath = string(udev_device_get_syspath(usb))
            vendorID = string(udev_device_get_sysattr_value(usb, "idVendor")).flatMap { UInt16($0.trimmed, radix: 16) }
            productID = string(udev_device_get_sysattr_value(usb, "idProduct")).flatMap { UInt16($0.trimmed, radix: 16) }
            serialNumber = string(udev_device_get_sysattr_value(usb, "serial")).map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        }
        // A removed device has no sysfs left: fall back to the properties the event carries.
        if vendorID == nil {
            vendorID = string(udev_device_get_property_value(device, "ID_VENDOR_ID")).flatMap { UInt16($0, radix: 16) }
            productID = string(udev_device_get_property_value(device, "ID_MODEL_ID")).flatMap { UInt16($0, radix: 16) }
            serialNumber = serialNumber ?? string(udev_device_get_property_value(device, "ID_SERIAL_SHORT"))
        }
    }

    /// The Particle device this node stands for, or nil when it is not one.
    var particleDevice: DeviceIdentity? {
        guard let vendorID, let productID, USBIdentity.isParticle(vendorID: vendorID, productID: productID) else {
            return nil
        }
        let port = subsystem == "tty" ? devnode : nil
        return DeviceIdentity(usb: USBAddress(vendorID: vendorID, productID: productID, serialNumber: serialNumber,
                                              path: USBAddress.path(inSyspath: usbSyspath ?? syspath), port: port))
    }
}

/// A udev netlink monitor for tty and USB devices. Owns its `udev_monitor` and the context it came from.
final class UdevMonitor {
    private let context: UdevContext
    private let handle: OpaquePointer
    let fileDescriptor: Int32

    init(context: UdevContext) throws {
        guard let handle = udev_monitor_new_from_netlink(context.handle, "udev") else {
            throw UserError(.io, "cannot open the udev event monitor (is udev running?)")
        }
        self.context = context
        self.handle = handle
        udev_monitor_filter_add_match_subsystem_devtype(handle, "tty", nil)
        udev_monitor_filter_add_match_subsystem_devtype(handle, "usb", "usb_device")
        if udev_monitor_enable_receiving(handle) < 0 {
            udev_monitor_unref(handle)
            throw UserError(.io, "cannot receive udev events (permission denied?)")
        }
        fileDescriptor = udev_monitor_get_fd(handle)
    }

    deinit { udev_monitor_unref(handle) }

    /// The next event already waiting on the socket, or nil when none is (the caller polls the descriptor).
    func receive() -> UdevDevice? {
        guard let device = udev_monitor_receive_device(handle) else { return nil }
        defer { udev_device_unref(device) }
        return UdevDevice(device)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
