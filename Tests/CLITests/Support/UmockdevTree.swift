/// Builds umockdev device-tree files (the format `umockdev-record` writes): a fake sysfs that the real libudev reads.
struct UmockdevTree {
    private(set) var records: [String] = []
    private var nextBusPort = 1

    /// A USB device with a CDC ACM interface and its tty, as a Particle device in normal mode shows up.
    @discardableResult
    mutating func addSerialDevice(vendor: String, product: String, serial: String?, tty: String,
                                  productName: String = "Particle device") -> String {
        let usb = addUSBDevice(vendor: vendor, product: product, serial: serial, productName: productName)
        records.append("""
            P: \(usb)/\(usb.split(separator: "/").last ?? ""):1.0
            E: DEVTYPE=usb_interface
            E: DRIVER=cdc_acm
            E: SUBSYSTEM=usb
            A: bInterfaceClass=02
            """)
        let ttyPath = "\(usb)/\(usb.split(separator: "/").last ?? ""):1.0/tty/\(tty)"
        records.append("""
            P: \(ttyPath)
            N: \(tty)
            E: DEVNAME=/dev/\(tty)
            E: SUBSYSTEM=tty
            A: dev=166:0
            """)
        return "/sys" + ttyPath
    }

    /// A bare USB device (a Particle device in DFU mode has no tty).
    @discardableResult
    mutating func addUSBDevice(vendor: String, product: String, serial: String?,
                               productName: String = "Particle device") -> String {
        let port = nextBusPort
        nextBusPort += 1
        let path = "/devices/pci0000:00/0000:00:14.0/usb1/1-\(port)"
        var lines = [
            "P: \(path)",
            "E: DEVTYPE=usb_device",
            "E: DRIVER=usb",
            "E: SUBSYSTEM=usb",
            "E: ID_VENDOR_ID=\(vendor)",
            "E: ID_MODEL_ID=\(product)",
            "A: idVendor=\(vendor)",
            "A: idProduct=\(product)",
            "A: product=\(productName)",
        ]
        if let serial {
            lines.append("E: ID_SERIAL_SHORT=\(serial)")
            lines.append("A: serial=\(serial)")
        }
        records.append(lines.joined(separator: "\n"))
        return path
    }

    var text: String { records.joined(separator: "\n\n") + "\n" }
}
