import Foundation
import Glibc
import ParticleCore
import ParticleStation
import Testing

/// The Wi-Fi password: from stdin, an environment variable or a 0600 file (real files, real chmod).
@Suite final class ProfileSecretTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func profile(_ wifi: String) throws -> StationProfile {
        try StationProfile.parse(yaml: "wifi: \(wifi)", source: "station.yaml", overrides: [])
    }

    func secretFile(_ contents: String, mode: mode_t) throws -> String {
        let path = directory + "/line3.psk"
        try? FileManager.default.removeItem(atPath: path)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test func aFileOfMode0644IsRefused() throws {
        let path = try secretFile("correct horse\n", mode: 0o644)
        let profile = try profile("{ ssid: Line3, password_file: \(path) }")
        #expect(throws: ProfileError("\(path) is readable by others (mode 0644); chmod 600 it")) {
            try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: [:])
        }
        let groupWritable = try secretFile("correct horse\n", mode: 0o620)
        #expect(throws: ProfileError("\(groupWritable) is open to others (mode 0620); chmod 600 it")) {
            try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: [:])
        }
    }

    @Test func aFileOfMode0600Or0400IsReadWithoutItsLineEnding() throws {
        let path = try secretFile(" correct horse \r\n", mode: 0o600)
        let profile = try profile("{ ssid: Line3, security: wpa2, password_file: \(path) }")
        #expect(try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: [:]) == " correct horse ")
        _ = try secretFile("correct horse", mode: 0o400)
        #expect(try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: [:]) == "correct horse")
    }

    @Test func aDirectoryOrAMissingFileIsRefused() throws {
        let profile = try profile("{ ssid: Line3, password_file: \(directory) }")
        #expect(throws: ProfileError("the Wi-Fi password file \(directory) is not a regular file; point wifi.password_file at a file of mode 0600")) {
            try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: [:])
        }
        let missing = try self.profile("{ ssid: Line3, password_file: \(directory)/none.psk }")
        #expect(throws: ProfileError("cannot read the Wi-Fi password file \(directory)/none.psk (wifi.password_file): No such file or directory")) {
            try StationSecret.wifiPassword(profile: missing, stdinPassword: nil, environment: [:])
        }
    }

    @Test func theEnvironmentVariableNamedIsUsedAndAMissingOneIsAClearError() throws {
        let profile = try profile("{ ssid: Line3, password_env: LINE3_WIFI_PASSWORD }")
        #expect(try StationSecret.wifiPassword(profile: profile, stdinPassword: nil,
                                               environment: ["LINE3_WIFI_PASSWORD": "correct horse\n"]) == "correct horse")
        #expect(throws: ProfileError("the environment variable LINE3_WIFI_PASSWORD (wifi.password_env) that holds the Wi-Fi password is not set; export it before starting the station, or pipe the password with --password-stdin")) {
            try StationSecret.wifiPassword(profile: profile, stdinPassword: nil, environment: ["OTHER": "x"])
        }
    }

    @Test func stdinWinsAndThePasswordIsCheckedWithoutBeingShown() throws {
        let profile = try profile("{ ssid: Line3, security: wpa2, password_env: LINE3 }")
        #expect(try StationSecret.wifiPassword(profile: profile, stdinPassword: "from stdin!", environment: ["LINE3": "from env!!"]) == "from stdin!")
        do {
            _ = try StationSecret.wifiPassword(profile: profile, stdinPassword: "short", environment: [:])
            Issue.record("a 5-character WPA password was accepted")
        } catch {
            #expect(error.message == "the Wi-Fi password for Line3 cannot work: a WPA password must be 8 to 63 characters long, or 64 hexadecimal digits (it has 5)")
            #expect(error.exitStatus == .usage)
        }
    }

    @Test func aSecuredNetworkWithoutAPasswordSourceSaysWhereOneGoes() throws {
        let secured = try profile("{ ssid: Line3, security: wpa2 }")
        #expect(throws: ProfileError("the network Line3 (wpa2) needs a password: name an environment variable with wifi.password_env (--password-env), a 0600 file with wifi.password_file (--password-file), or pipe it with --password-stdin")) {
            try StationSecret.wifiPassword(profile: secured, stdinPassword: nil, environment: [:])
        }
        #expect(try StationSecret.wifiPassword(profile: try profile("{ ssid: Open }"), stdinPassword: nil, environment: [:]) == nil)
        #expect(try StationSecret.wifiPassword(profile: StationProfile(), stdinPassword: nil, environment: [:]) == nil)
    }
}
