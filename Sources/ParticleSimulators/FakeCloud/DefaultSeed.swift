import Foundation

/// The fake cloud's default seed fixture (print it with `particlectl sim cloud --print-seed`, edit, pass --seed).
///
/// Users: `dev@example.com` / `dev-password` (no MFA, owns `gongbot` online and `sleepy` offline, administers
/// product 1001 `widget-fleet`), `mfa@example.com` / `mfa-password` with MFA code `123456`, `other@example.com`
/// (owns `otherbot`). Device `0a0a0a0a0a0a0a0a0a0a0a0a` is unclaimed. Product 1001 has the OAuth client
/// `widget-fleet-2468` / `widget-fleet-secret` and the customer `jane@example.com`.
public enum FakeCloudSeed {
    public static let json = """
    {
      "users": [
        {"username": "dev@example.com", "password": "dev-password"},
        {"username": "mfa@example.com", "password": "mfa-password", "otp": "123456"},
        {"username": "other@example.com", "password": "other-password"}
      ],
      "tokens": [],
      "products": [
        {"id": 1001, "name": "Widget Fleet", "slug": "widget-fleet", "platform_id": 6,
         "clients": [{"id": "widget-fleet-2468", "secret": "widget-fleet-secret"}],
         "team": [{"username": "dev@example.com", "is_programmatic": false, "role": "Administrator"}]}
      ],
      "organizations": [
        {"id": "5f0a1b2c3d4e5f6071829304", "name": "Acme Devices", "slug": "acme",
         "team": [{"username": "dev@example.com", "is_programmatic": false, "role": "Administrator"}]}
      ],
      "customers": [
        {"id": "c0ffee000000000000000001", "username": "jane@example.com", "product_id": 1001}
      ],
      "devices": [
        {"id": "0123456789abcdef01234567", "name": "gongbot", "platform_id": 6, "owner": "dev@example.com",
         "online": true, "functions": ["setColor", "publishEvent"], "variables": {"sensor": 1234},
         "serial_number": "PHHAAA000000001"},
        {"id": "89abcdef0123456789abcdef", "name": "sleepy", "platform_id": 12, "owner": "dev@example.com",
         "online": false, "functions": ["setColor"], "variables": {"sensor": 7}},
        {"id": "0a0a0a0a0a0a0a0a0a0a0a0a", "name": "fresh_photon", "platform_id": 6, "online": false,
         "functions": [], "variables": {}},
        {"id": "0b0b0b0b0b0b0b0b0b0b0b0b", "name": "otherbot", "platform_id": 6, "owner": "other@example.com",
         "online": true, "functions": [], "variables": {}},
        {"id": "0c0c0c0c0c0c0c0c0c0c0c0c", "name": "fleet_one", "platform_id": 6, "product_id": 1001,
         "owner": "jane@example.com", "online": true, "functions": ["setColor"], "variables": {"sensor": 42}}
      ],
      "claim_codes": []
    }
    """

    public static func data() throws -> FakeCloudData {
        try JSONDecoder().decode(FakeCloudData.self, from: Data(json.utf8))
    }
}
