/// A product's customers.
public struct CustomersAPI: Sendable {
    let transport: CloudTransport
    public let product: String

    private struct CustomerList: Decodable { var customers: [Customer] }
    private var path: String { "/v1/products/\(CloudRequest.segment(product))/customers" }

    /// `POST /v1/products/:p/customers` `email=…&no_password=true`: creates a password-less ("shadow") customer
    /// and returns its token. With `client`, authenticates with the product's OAuth client (two-legged);
    /// otherwise with the bearer token of a team member.
    public func create(email: String, client: (id: String, secret: String)? = nil) async throws -> TokenReply {
        var fields = [FormField("email", email), FormField("no_password", "true")]
        let authentication: CloudRequest.Authentication
        if let client {
            fields.insert(FormField("grant_type", "client_credentials"), at: 0)
            authentication = .basic(clientID: client.id, secret: client.secret)
        } else {
            authentication = .bearer
        }
        return try await transport.send(CloudRequest(.post, path, body: .form(fields), authentication: authentication),
                                        as: TokenReply.self)
    }

    /// `GET /v1/products/:p/customers`.
    public func list() async throws -> [Customer] {
        try await transport.send(CloudRequest(.get, path), as: CustomerList.self).customers
    }
}
