import CrucibleAPI
import Foundation
import Logging

/// Settings of the job life cycle.
public struct StoreSettings: Sendable {
    /// How long a lease lives without a heartbeat.
    public var leaseTTLS: Double = 30
    /// Agents heartbeat this often; an agent silent for three intervals is shown offline.
    public var heartbeatIntervalS: Double = 10
    /// Leases a job may take before it is `errored` for good (expired leases and infrastructure errors).
    public var maxAttempts: Int = 3
    /// After an agent reports an infrastructure error, other agents get the job first for this long.
    public var avoidAgentS: Double = 30

    public init() {}
}

/// Who is calling: the owner of a bearer token.
public struct Principal: Sendable, Hashable {
    public var tokenID: String
    public var role: Role
    public var tenant: String
    public var name: String
    /// Set for an agent's own credential (from registration).
    public var agentID: String?
    public var ratePerS: Double

    /// Admins see every tenant; everyone else sees only their own.
    public var tenantFilter: String? { role == .admin ? nil : tenant }
}

/// The control plane's state, written once over `SQLDatabase` so SQLite and PostgreSQL behave the same.
/// Every method is one transaction: a request either changes everything it should or nothing.
public struct Store: Sendable {
    public let database: any SQLDatabase
    public let settings: StoreSettings
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        database: any SQLDatabase, settings: StoreSettings = StoreSettings(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    /// Brings the schema up to date. Safe to call from several replicas at once.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let applied = try await Schema.migrate(database, now: now())
        if !applied.isEmpty {
            logger.info("store migrated", metadata: ["versions": "\(applied)"])
        }
        return applied
    }

    /// A store answers when its database does (readiness).
    public func ping() async throws {
        _ = try await database.read { try await $0.query("SELECT 1 AS one") }
    }

    static func newID(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    }

    /// `?, ?, ?` for an IN list of `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: max(count, 1)).joined(separator: ", ")
    }

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try CrucibleJSON.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws(ControlPlaneError) -> T {
        do {
            return try CrucibleJSON.decode(type, from: Data(text.utf8))
        } catch {
            throw ControlPlaneError.corrupt("a stored \(type) does not decode: \(error)")
        }
    }
}
