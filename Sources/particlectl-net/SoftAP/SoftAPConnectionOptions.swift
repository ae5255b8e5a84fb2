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

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for each connection and reply, 0.01–86400 (default 5, 30 for scan and configure).",
                               valueName: "seconds"),
            transform: Seconds.argument)
    var timeout: Seconds?

    @Option(help: ArgumentHelp("Tries per command when the link fails (connect-ap is always sent once).", valueName: "n"))
    var attempts = 3

    @Flag(help: "Print each request and reply on stderr (passwords never appear).")
    var verbose = false

    func validate() throws {
        guard (1...10).contains(attempts) else { throw ValidationError("--attempts must be 1 to 10") }
        _ = try parsedAddress()
    }

    func parsedAddress() throws -> SoftAPAddress {
        do {
            return try SoftAPAddress(parsing: address, transport: transport)
        } catch let error as SoftAPError {
            throw ValidationError(SoftAPRemedies.message(error, naming: SoftAPRemedies.softap))
        }
    }

    func makeClient() throws -> SoftAPClient {
        var options = timeout.map { SoftAPClient.Options(timeout: $0.value) } ?? SoftAPClient.Options()
        options.attempts = attempts
        if verbose { options.transcript = { line in Terminal.writeError(line) } }
        return SoftAPClient(address: try parsedAddress(), options: options)
    }
}

extension SoftAPAddress.Transport: ExpressibleByArgument {}
