/// The entry point of the Cloud API library: one shared HTTP client, and one small type per API area.
///
/// ```swift
/// try await CloudClient.with(CloudConfiguration(token: token)) { cloud in
///     let code = try await cloud.devices().claimCode()
///     let subscription = try await cloud.events.subscribe(EventFilter(prefix: "spark/status"))
///     …
/// }
/// ```
public final class CloudClient: Sendable {
    public let transport: CloudTransport

    public init(_ configuration: CloudConfiguration) {
        transport = CloudTransport(configuration: configuration)
    }

    /// Releases the HTTP client. Call once, after the last request.
    public func shutdown() async {
        await transport.shutdown()
    }

    /// Runs `body` with a client and shuts it down afterwards, whether `body` returns or throws.
    public static func with<Result: Sendable>(_ configuration: CloudConfiguration,
                                              _ body: (CloudClient) async throws -> Result) async throws -> Result {
        let client = CloudClient(configuration)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Logging in, product / customer tokens, token inspection and revocation.
    public var tokens: TokensAPI { TokensAPI(transport: transport) }
    /// The user's own devices, or a product's when `product` is given.
    public func devices(product: String? = nil) -> DevicesAPI { DevicesAPI(transport: transport, product: product) }
    /// Publishing and subscribing.
    public var events: EventsAPI { EventsAPI(transport: transport) }
    /// Products and organizations.
    public var products: ProductsAPI { ProductsAPI(transport: transport) }
    /// A product's customers.
    public func customers(product: String) -> CustomersAPI { CustomersAPI(transport: transport, product: product) }
    /// A product's or an organization's team, including API users.
    public func team(_ owner: TeamOwner) -> TeamAPI { TeamAPI(transport: transport, owner: owner) }
}
