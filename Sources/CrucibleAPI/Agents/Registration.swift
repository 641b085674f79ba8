// `POST /v1/agents/register`: an agent introduces itself (with a registration token of role `agent`) and gets
// its id and its own credential, which it uses as the bearer token for every later agent call.

public struct AgentRegistration: Codable, Sendable, Hashable {
    public var name: String
    /// How many jobs it runs at once.
    public var slots: Int
    /// Free-form `k=v` labels (`--labels`), matched against jobs when leasing.
    public var labels: [String: String]
    public var cgroupVersion: CgroupVersion
    /// Languages whose toolchains passed their check on this node; it is only leased jobs in these.
    public var toolchains: [Language]
    public var version: String

    public init(
        name: String, slots: Int, labels: [String: String] = [:], cgroupVersion: CgroupVersion,
        toolchains: [Language], version: String
    ) {
        self.name = name
        self.slots = slots
        self.labels = labels
        self.cgroupVersion = cgroupVersion
        self.toolchains = toolchains
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case name, slots, labels
        case cgroupVersion = "cgroup_version"
        case toolchains, version
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        slots = try container.decode(Int.self, forKey: .slots)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        cgroupVersion = try container.decode(CgroupVersion.self, forKey: .cgroupVersion)
        toolchains = try container.decode([Language].self, forKey: .toolchains)
        version = try container.decode(String.self, forKey: .version)
    }
}

public struct AgentRegistrationReply: Codable, Sendable, Hashable {
    public var agentID: String
    /// The agent's own bearer token; shown once.
    public var token: String
    /// How often to heartbeat.
    public var heartbeatIntervalS: Double
    /// How long a lease lives without a heartbeat renewing it.
    public var leaseTTLS: Double

    public init(agentID: String, token: String, heartbeatIntervalS: Double, leaseTTLS: Double) {
        self.agentID = agentID
        self.token = token
        self.heartbeatIntervalS = heartbeatIntervalS
        self.leaseTTLS = leaseTTLS
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case token
        case heartbeatIntervalS = "heartbeat_interval_s"
        case leaseTTLS = "lease_ttl_s"
    }
}
