import ParticleCore

/// Chooses the serial port a command talks to: `--port` wins; otherwise the single attached Particle tty.
public enum PortSelection {
    public static let noDeviceMessage =
        "No Particle device found (is it plugged in? see udev-rules/ for permissions)"

    /// Picks a port from an explicit choice or from the devices discovered.
    public static func choose(explicit: String?, among devices: [DeviceIdentity]) throws -> String {
        if let explicit { return explicit }
        let ports = devices.compactMap(\.port)
        switch ports.count {
        case 0:
            throw UserError(.notFound, noDeviceMessage)
        case 1:
            return ports[0]
        default:
            throw UserError(.notFound,
                "Several Particle devices found (\(ports.joined(separator: ", "))); choose one with --port")
        }
    }

    /// Picks a port, discovering devices only when no `--port` was given.
    public static func choose(explicit: String?) throws -> String {
        if let explicit { return explicit }
        return try choose(explicit: nil, among: DeviceDiscovery.list())
    }
}
