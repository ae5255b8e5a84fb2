import ParticleCore

/// A device ID written out in a test (a typo stops the run with the text it could not read).
func testID(_ text: String) -> DeviceID {
    guard let id = DeviceID(text) else { preconditionFailure("'\(text)' is not a 24-hex device ID") }
    return id
}
