/// A flag's value applied to a key path before validation, so flags get the same checks and messages as the file.
///
/// `keyPath` is the profile's dotted key (`wifi.ssid`, `timeouts.online`); `value` is the text as typed, converted
/// to the key's type by the same rules as the file's value. For a list key (`usb_paths`) the first override of the
/// path replaces the file's list and each further one appends to it (a repeatable flag). Setting
/// `wifi.password_env` drops the file's `wifi.password_file` and the other way round (they are alternatives).
public struct ProfileOverride: Sendable, Equatable {
    public var keyPath: String
    /// As typed; converted to the key's type.
    public var value: String
    /// For messages: "--ssid".
    public var flag: String

    public init(keyPath: String, value: String, flag: String) {
        self.keyPath = keyPath
        self.value = value
        self.flag = flag
    }
}
