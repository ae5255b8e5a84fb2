/// Line speeds a Particle device treats as commands (USB line coding, listening-mode spec §7.1), not as data rates.
/// A protocol fact: the transport only knows how to set a speed.
public enum MagicSpeed: UInt32, Sendable {
    /// Device OS 0.5–5.x: enter listening mode.
    case listen = 28800
    /// Every Device OS: reset into DFU mode.
    case dfu = 14400
}
