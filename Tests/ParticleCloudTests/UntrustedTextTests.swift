import ParticleCore
import Testing

/// The one escaping of untrusted text for human-readable output (device, SoftAP scan, cloud).
@Suite struct UntrustedTextTests {
    @Test func controlCharactersAreEscapedAndEverythingElseKept() {
        #expect(UntrustedText.escaped("HomeNet") == "HomeNet")
        #expect(UntrustedText.escaped("Café Libre ☕") == "Café Libre ☕")
        #expect(UntrustedText.escaped("\u{1B}]0;pwned\u{07}") == #"\x1b]0;pwned\x07"#)
        #expect(UntrustedText.escaped("\u{1B}[2J\u{1B}[31mred") == #"\x1b[2J\x1b[31mred"#)
        #expect(UntrustedText.escaped("a\r\nb\tc") == #"a\r\nb\tc"#)
        #expect(UntrustedText.escaped("back\\slash") == #"back\\slash"#)
        #expect(UntrustedText.escaped("del\u{7F}") == #"del\x7f"#)
        #expect(UntrustedText.escaped("c1\u{9B}31m") == #"c1\u{9b}31m"#)
        #expect(UntrustedText.escaped("nul\u{0}") == #"nul\x00"#)
    }

    @Test func bytesAreEscapedLikeTheSerialTranscript() {
        #expect(UntrustedText.escaped(bytes: Array("ok\r\n".utf8)) == #"ok\r\n"#)
        #expect(UntrustedText.escaped(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0xC3, 0xA9, 0x5C]) == #"\x1b[2J\xc3\xa9\\"#)
    }

    @Test func needsEscapingTellsSafeTextFromHostileText() {
        #expect(!UntrustedText.needsEscaping("plain ascii and ünïcödé"))
        #expect(UntrustedText.needsEscaping("bell\u{07}"))
    }
}
