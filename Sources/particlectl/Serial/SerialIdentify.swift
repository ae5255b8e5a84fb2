import ArgumentParser
import ParticleCore
import ParticleHardware
import ParticleSerial
import ParticleCLISupport

/// `particlectl serial identify` (also `particlectl identify`).
struct SerialIdentify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Print the device ID of a device in listening mode (and IMEI/ICCID on cellular devices).",
        discussion: """
            JSON: {"id": "<24 hex>"} plus "serial_number", "imei", "iccid", "cell_radio_version" when the device \
            reports them. With --all, every attached Particle device is asked at once and the JSON is an array of \
            objects that also carry "port" (and "error" and "exit_code" instead of the identity when that device failed;             the exit code is the last failure's); nothing attached prints [] and exits 3.
            """
    )

    @OptionGroup var connection: SerialConnectionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Identify every attached Particle serial device, concurrently.")
    var all = false

    func validate() throws {
        if all && connection.port != nil { throw ValidationError("--all and --port cannot be combined") }
    }

    func run() async throws {
        try await Self.execute(connection: connection, output: output, all: all)
    }

    /// Shared with the top-level alias `particlectl identify`.
    static func execute(connection: SerialConnectionOptions, output: OutputOptions, all: Bool) async throws {
        if all { return try await runAll(connection: connection, output: output) }
        try identifyOne(port: connection.port, timeout: connection.timeout, verbose: connection.verbose,
                        json: output.json)
    }

    /// One device: `--port` (or the only attached one) asked `i`, its identity printed. Shared with the fast path.
    static func identifyOne(port: String?, timeout: Double, verbose: Bool, json: Bool) throws {
        let client = try SerialConnectionOptions.openClient(port: port, timeout: timeout, verbose: verbose)
        defer { client.close() }
        let identity = try client.identify()
        if json {
            Terminal.write(JSONOutput.line(IdentityJSON(identity)))
        } else {
            Terminal.write(describe(identity))
        }
    }

    static func describe(_ identity: IdentifyReply) -> String {
        var lines = ["Device ID: \(identity.deviceID)"]
        if let value = identity.serialNumber { lines.append("Serial Number: \(value)") }
        if let value = identity.imei { lines.append("IMEI: \(value)") }
        if let value = identity.iccid { lines.append("ICCID: \(value)") }
        if let value = identity.cellRadioVersion { lines.append("Cell Radio Version: \(value)") }
        for property in identity.otherProperties { lines.append("\(property.label): \(property.value)") }
        return lines.joined(separator: "\n")
    }

    private static func runAll(connection: SerialConnectionOptions, output: OutputOptions) async throws {
        let results = try await DeviceIdentification.identifyAll(timeout: connection.timeout)
        guard !results.isEmpty else {
            // A script reading the JSON gets an empty list; the reason stays on stderr (exit 3).
            if output.json { Terminal.write("[]") }
            throw UserError(.notFound, PortSelection.noDeviceMessage)
        }
        if output.json {
            Terminal.write(JSONOutput.line(results.map { IdentityJSON(port: $0.port, $0.result) }))
        } else {
            var table = Table("PORT", "DEVICE ID", "IMEI", "ICCID", "ERROR")
            for item in results {
                switch item.result {
                case .success(let identity):
                    table.append([item.port, identity.deviceID.rawValue, identity.imei ?? "-", identity.iccid ?? "-", "-"])
                case .failure(let error):
                    table.append([item.port, "-", "-", "-", Self.text(of: error)])
                }
            }
            Terminal.write(table.rendered)
        }
        // Every failing port gets its line; the last one also sets the exit code.
        let failures = results.compactMap { item -> (any Error)? in
            if case .failure(let error) = item.result { return error }
            return nil
        }
        for error in failures.dropLast() { Terminal.writeError("particlectl: \(Self.text(of: error))") }
        if let last = failures.last { throw last }
    }

    static func text(of error: any Error) -> String {
        (error as? any ParticleError)?.message ?? "\(error)"
    }
}

/// The `--json` shape of an identity: optional keys only when the device reported them.
struct IdentityJSON: Encodable {
    var port: String?
    var id: String?
    var serialNumber: String?
    var imei: String?
    var iccid: String?
    var cellRadioVersion: String?
    var error: String?
    /// The exit code this device's failure maps to (README "Exit codes"), beside `error`.
    var exitCode: Int32?

    init(port: String?, error: any Error) {
        self.port = port
        self.error = SerialIdentify.text(of: error)
        exitCode = ((error as? any ParticleError)?.exitStatus ?? .io).rawValue
    }

    enum CodingKeys: String, CodingKey {
        case port, id, imei, iccid, error
        case exitCode = "exit_code"
        case serialNumber = "serial_number"
        case cellRadioVersion = "cell_radio_version"
    }

    init(_ identity: IdentifyReply, port: String? = nil) {
        self.port = port
        id = identity.deviceID.rawValue
        serialNumber = identity.serialNumber
        imei = identity.imei
        iccid = identity.iccid
        cellRadioVersion = identity.cellRadioVersion
    }

    init(port: String, _ result: Result<IdentifyReply, any Error>) {
        switch result {
        case .success(let identity): self.init(identity, port: port)
        case .failure(let error): self.init(port: port, error: error)
        }
    }
}
