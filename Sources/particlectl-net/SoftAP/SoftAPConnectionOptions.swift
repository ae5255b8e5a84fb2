import ArgumentParser
import ParticleCore
import ParticleSoftAP
import ParticleCLISupport

/// The options every `softap` command shares: where the device is, how to talk to it, how long to wait.
struct SoftAPConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The device's address (default 192.168.0.1 and the protocol's port).", valueName: "host[:port]"))
    var address = SoftAPAddress.defaultHost

    @Option(name: .customLong("protocol"), help: ArgumentHelp("tcp (port 5609) or http (port 80).", valueName: "tcp|http"))
    var transport = SoftAPAddress.Transport.tcp

    @Option(help: ArgumentHelp("Seconds to wait for each connection and reply (default 5, 30 for scan and configure).",
                               valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Tries per command when the link fails (connect-ap is always sent once).", valueName: "n"))
    var attempts = 3

    @Flag(help: "Print each request and reply on stderr (passwords never appear).")
    var verbose = false

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        guard (1...10).contains(attempts) else { throw ValidationError("--attempts must be 1 to 10") }
        _ = try parsedAddress()
    }

    func parsedAddress() throws -> SoftAPAddress {
        do {
            return try SoftAPAddress(parsing: address, transport: transport)
        } catch let error as SoftAPError {
            throw ValidationError(error.message)
        }
    }

    func makeClient() throws -> SoftAPClient {
        var options = timeout.map(SoftAPClient.Options.init(timeout:)) ?? SoftAPClient.Options()
        options.attempts = attempts
        if verbose { options.transcript = { line in Terminal.writeError(line) } }
        return SoftAPClient(address: try parsedAddress(), options: options)
    }
}

extension SoftAPAddress.Transport: ExpressibleByArgument {}
