import CrucibleAPI
import Crypto
import Foundation

// Bearer tokens. Only a SHA-256 hash of each secret is stored, so a copy of the database does not let anyone
// in. Secrets are 32 random bytes, hex, prefixed `cru_` so they are recognisable in a leaked log.

public struct IssuedToken: Sendable {
    public var id: String
    public var secret: String
    public var principal: Principal
}

extension Store {
    public static let defaultRatePerS: [Role: Double] = [.submitter: 50, .operator: 50, .agent: 500, .admin: 0]

    /// Every request's token is hashed, so this is on every request's path: `String(format:)` a byte cost
    /// more than the hash itself.
    static func hash(secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Lower-case hex, two digits a byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "cru_" + hex(bytes)
    }

    /// Issues a token. `secret` may be given (an operator's `CRUCIBLE_ADMIN_TOKEN`); else one is made.
    public func createToken(
        role: Role, tenant: String, name: String, agentID: String? = nil, ratePerS: Double? = nil,
        secret: String? = nil
    ) async throws -> IssuedToken {
        let secret = secret ?? Self.newSecret()
        let principal = Principal(
            tokenID: Self.newID("tok"), role: role, tenant: tenant, name: name, agentID: agentID,
            ratePerS: ratePerS ?? Self.defaultRatePerS[role] ?? 50)
        let hash = Self.hash(secret: secret)
        let created = now()
        try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO tokens (id, hash, role, tenant, name, agent_id, rate_per_s, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING
                """,
                principal.tokenID, hash, role.rawValue, tenant, name, agentID, principal.ratePerS, created)
        }
        return IssuedToken(id: principal.tokenID, secret: secret, principal: principal)
    }

    /// The owner of a presented secret, or nil when it is unknown or revoked.
    public func principal(secret: String) async throws -> Principal? {
        let rows = try await database.read { connection in
            try await connection.query(
                "SELECT id, role, tenant, name, agent_id, rate_per_s FROM tokens WHERE hash = ? AND revoked = 0",
                Self.hash(secret: secret))
        }
        guard let row = rows.first, let role = Role(rawValue: try row.string("role")) else {
            return nil
        }
        return Principal(
            tokenID: try row.string("id"), role: role, tenant: try row.string("tenant"), name: try row.string("name"),
            agentID: try row.optionalString("agent_id"), ratePerS: try row.double("rate_per_s"))
    }

    /// Whether a secret is already known (so `crucible up` does not issue a second admin token).
    public func hasToken(secret: String) async throws -> Bool {
        try await principal(secret: secret) != nil
    }
}
