import Foundation

// `GET /v1/nodes` and `POST /v1/nodes/{id}/drain`: the operator's view of the agents.

public enum NodeState: String, WireEnum {
    /// Taking leases.
    case active
    /// Finishing its running jobs, taking no new ones.
    case draining
    /// Drained: nothing running, safe to stop.
    case drained
    /// Missed its heartbeats; its leases expire and the jobs go back to the queue.
    case offline
    public static let wireName = "node state"
}

/// The agent says which one it detected at start; both are first-class.
public enum CgroupVersion: String, WireEnum {
    case v1, v2
    public static let wireName = "cgroup version"
}

public struct NodeInfo: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var state: NodeState
    public var labels: [String: String]
    public var slots: Int
    public var runningJobs: Int
    /// The node's 1-minute load average at its last heartbeat; null when it did not say.
    public var loadAverage: Double?
    public var cgroupVersion: CgroupVersion
    /// Languages whose toolchains the node has.
    public var toolchains: [Language]
    public var version: String
    public var registeredAt: Date
    public var lastHeartbeatAt: Date?

    public init(
        id: String, name: String, state: NodeState, labels: [String: String] = [:], slots: Int, runningJobs: Int,
        loadAverage: Double? = nil, cgroupVersion: CgroupVersion, toolchains: [Language], version: String,
        registeredAt: Date, lastHeartbeatAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.labels = labels
        self.slots = slots
        self.runningJobs = runningJobs
        self.loadAverage = loadAverage
        self.cgroupVersion = cgroupVersion
        self.toolchains = toolchains
        self.version = version
        self.registeredAt = registeredAt
        self.lastHeartbeatAt = lastHeartbeatAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, state, labels, slots
        case runningJobs = "running_jobs"
        case loadAverage = "load_average"
        case cgroupVersion = "cgroup_version"
        case toolchains, version
        case registeredAt = "registered_at"
        case lastHeartbeatAt = "last_heartbeat_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        state = try container.decode(NodeState.self, forKey: .state)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        slots = try container.decode(Int.self, forKey: .slots)
        runningJobs = try container.decode(Int.self, forKey: .runningJobs)
        loadAverage = try container.decodeIfPresent(Double.self, forKey: .loadAverage)
        cgroupVersion = try container.decode(CgroupVersion.self, forKey: .cgroupVersion)
        toolchains = try container.decode([Language].self, forKey: .toolchains)
        version = try container.decode(String.self, forKey: .version)
        registeredAt = try container.decodeTimestamp(forKey: .registeredAt)
        lastHeartbeatAt = try container.decodeTimestampIfPresent(forKey: .lastHeartbeatAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(labels, forKey: .labels)
        try container.encode(slots, forKey: .slots)
        try container.encode(runningJobs, forKey: .runningJobs)
        try container.encode(loadAverage, forKey: .loadAverage)  // explicit null
        try container.encode(cgroupVersion, forKey: .cgroupVersion)
        try container.encode(toolchains, forKey: .toolchains)
        try container.encode(version, forKey: .version)
        try container.encodeTimestamp(registeredAt, forKey: .registeredAt)
        try container.encodeTimestamp(lastHeartbeatAt, forKey: .lastHeartbeatAt)  // explicit null
    }
}

/// The reply of `GET /v1/nodes`.
public struct NodeList: Codable, Sendable, Hashable {
    public var nodes: [NodeInfo]

    public init(nodes: [NodeInfo]) {
        self.nodes = nodes
    }
}
