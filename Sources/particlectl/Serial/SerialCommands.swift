import ArgumentParser
import ParticleCLISupport

/// The listening-mode serial commands (identify, mac, wifi …), registered under `particlectl serial`.
enum SerialCommands {
    static let all: [any ParsableCommand.Type] = [
        SerialIdentify.self, SerialMAC.self, SerialVersion.self, SerialInspect.self, SerialClaimed.self,
        SerialClaim.self, SerialWiFi.self, SerialCloseDialogue.self, SerialListen.self, SerialDFU.self, SerialExit.self, SerialMonitor.self,
    ]
}
