/// Products and organizations.
public struct ProductsAPI: Sendable {
    let transport: CloudTransport

    private struct ProductList: Decodable { var products: [Product] }
    private struct OneProduct: Decodable { var product: Product }
    private struct OrganizationList: Decodable { var organizations: [Organization] }

    /// `GET /v1/user/products`.
    public func list() async throws -> [Product] {
        try await transport.send(CloudRequest(.get, "/v1/user/products"), as: ProductList.self).products
    }

    /// `GET /v1/products/:idOrSlug`.
    public func get(_ product: String) async throws -> Product {
        try await transport.send(CloudRequest(.get, "/v1/products/\(CloudRequest.segment(product))"), as: OneProduct.self).product
    }

    /// `GET /v1/orgs`.
    public func organizations() async throws -> [Organization] {
        try await transport.send(CloudRequest(.get, "/v1/orgs"), as: OrganizationList.self).organizations
    }
}
