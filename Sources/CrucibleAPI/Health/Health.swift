// `GET /healthz` (the process is alive) and `GET /readyz` (it can serve: store reachable, migrations done).

public enum HealthState: String, WireEnum {
    case ok, unavailable
    public static let wireName = "health status"
}

/// `{"status": "ok"}`; `/readyz` adds `checks` (name → "ok" or what is wrong) and answers 503 when unavailable.
public struct HealthReply: Codable, Sendable, Hashable {
    public var status: HealthState
    public var checks: [String: String]?

    public init(status: HealthState, checks: [String: String]? = nil) {
        self.status = status
        self.checks = checks
    }

    public static let ok = HealthReply(status: .ok)
}
