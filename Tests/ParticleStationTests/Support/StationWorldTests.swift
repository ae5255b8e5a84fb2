import Foundation
import ParticleSerial
import ParticleSimulators
import Testing

/// The support world itself: devices answer on their ports, the right Wi-Fi and a claim code bring a device online
/// claimed, and each fault does what the station's tests rely on.
@Suite("StationWorld (test support)")
struct StationWorldTests {
    @Test func aHealthyDeviceComesOnlineClaimedAndAWrongWiFiOneNever() async throws {
        try await StationWorld.with(devices: 2, faults: [.init(device: 2, fault: .wrongWiFi)]) { world in
            #expect(world.ports.count == 2 && Set(world.deviceIDs).count == 2)
            #expect(world.description.devices.map(\.faults) == [[], ["wrong-wifi"]])
            for port in world.ports {
                let code = try await world.newClaimCode()
                let identity = try await ListeningModeSession.with(path: port) { session in
                    let identity = try await session.identify()
                    try await session.setClaimCode(code)
                    try await session.configureWiFi(WiFiCredentials(ssid: world.ssid, password: world.password))
                    return identity
                }
                #expect(world.deviceIDs.contains(identity.deviceID.rawValue))
            }
            #expect(await world.waitUntilOnline(world.deviceIDs[0], timeout: 10))
            #expect(await world.cloudDevice(world.deviceIDs[0])?.owner == world.username)
            try await Task.sleep(nanoseconds: 500_000_000)
            #expect(await world.cloudDevice(world.deviceIDs[1]) == nil)
            #expect(world.device(2)?.wifiCredentials?.ssid == world.ssid)
        }
    }

    @Test func anUnpluggedDeviceHangsUpInTheWiFiDialogue() async throws {
        try await StationWorld.with(devices: 1, faults: [.init(device: 1, fault: .unplug)]) { world in
            let port = try #require(world.ports.first)
            await #expect(throws: (any Error).self) {
                try await ListeningModeSession.with(path: port) { session in
                    try await session.configureWiFi(WiFiCredentials(ssid: world.ssid, password: world.password))
                }
            }
            let deadline = Date().addingTimeInterval(5)
            while world.device(1)?.isRunning == true, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            #expect(world.device(1)?.isRunning == false)
            // (Not checked: that the pty path is gone — tests running alongside may be given the same /dev/pts number.)
        }
    }

    @Test func faultsNumberTheDevicesFromOne() async throws {
        await #expect(throws: StationFaultError.deviceOutOfRange(3, devices: 2)) {
            _ = try await StationWorld.start(devices: 2, faults: [.init(device: 3, fault: .silent)])
        }
    }
}
