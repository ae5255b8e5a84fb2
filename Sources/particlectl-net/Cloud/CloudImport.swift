import ArgumentParser
import Foundation
import ParticleCloud
import ParticleCore
import ParticleCLISupport

/// `particlectl cloud import`.
struct CloudImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add devices to a product by ID (arguments, or --file with one ID per line).",
        discussion: "JSON: {\"updated\", \"nonmemberDeviceIds\", \"invalidDeviceIds\"} as the API answers."
    )

    @Argument(help: "Device IDs (24 hex).")
    var devices: [String] = []
    @Option(name: .long, help: "A text file with one device ID per line (# comments allowed).")
    var file: String?
    @Option(name: .long, help: "Product ID or slug.")
    var product: String
    @OptionGroup var cloud: CloudOptions
    @OptionGroup var output: OutputOptions

    func ids() throws -> [String] {
        var all = devices
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw UserError(.notFound, "cannot read \(file)")
            }
            all += String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        guard !all.isEmpty else { throw UserError(.usage, "no device IDs: give them as arguments or with --file") }
        if let bad = all.first(where: { !DeviceReference.isDeviceID($0) }) {
            throw UserError(.usage, "'\(bad.prefix(40))' is not a 24-hex device ID")
        }
        return all.map { $0.lowercased() }
    }

    func run() async throws {
        let list = try ids()
        let reply: ImportReply
        do {
            reply = try await CloudSession(cloud).run { client in try await client.devices(product: product).importDevices(list) }
        } catch var missing as MissingCloudInput {
            missing.advice = "--product"
            throw missing
        }
        if output.json { printJSON(reply) } else {
            var text = "Imported \(reply.updated) of \(list.count) devices into product \(product)."
            if let invalid = reply.invalidDeviceIDs, !invalid.isEmpty { text += " Invalid: \(invalid.joined(separator: ", "))." }
            Terminal.write(text)
        }
    }
}
