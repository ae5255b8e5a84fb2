import ArgumentParser
import ParticleCLISupport

/// `particlectl firmware …`: the firmware that ships with particlectl.
struct Firmware: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, compile and flash the firmware bundled with particlectl.",
        subcommands: [FirmwareList.self, FirmwareShow.self, FirmwareCompile.self, FirmwareFlash.self]
    )
}
