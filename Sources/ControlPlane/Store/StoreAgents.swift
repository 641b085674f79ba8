import CrucibleAPI
import Foundation

// Agents (nodes): registration, heartbeats, drain, and the operator's inventory.

extension Store {
    /// Registers an agent. A re-registering agent (same name) gets a new id: its old leases expire on their own.
    public func registerAgent(_ registration: AgentRegistration) async throws -> String {
        let id = Self.newID("agent")
        let registered = now()
        try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO agents (id, name, slots, labels, cgroup_version, toolchains, version, state,
                    registered_at, last_heartbeat_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                id, registration.name, registration.slots, try Self.encode(registration.labels),
                registration.cgroupVersion.rawValue, try Self.encode(registration.toolchains), registration.version,
                NodeState.active.rawValue, registered, registered)
        }
        return id
    }

    struct AgentRow: Sendable {
        var id: String
        var slots: Int
        var state: NodeState
        var toolchains: [Language]
    }

    static func agentRow(_ connection: any SQLConnection, id: String) async throws -> AgentRow {
        guard
            let row = try await connection.query("SELECT id, slots, state, toolchains FROM agents WHERE id = ?", id)
                .first
        else {
            throw ControlPlaneError.notFound("agent", id)
        }
        return AgentRow(
            id: id, slots: try row.int("slots"), state: NodeState(rawValue: try row.string("state")) ?? .active,
            toolchains: try decode([Language].self, try row.string("toolchains")))
    }

    /// Renews the agent's leases that are still its own; the rest are revoked (expired and requeued, or
    /// cancelled), and the agent must drop those jobs.
    public func heartbeat(_ request: HeartbeatRequest) async throws -> HeartbeatReply {
        let beat = now()
        let ttl = settings.leaseTTLS
        return try await database.transaction { connection in
            var agent = try await Self.agentRow(connection, id: request.agentID)
            if request.draining == true, agent.state == .active {
                try await connection.query(
                    "UPDATE agents SET state = ? WHERE id = ?", NodeState.draining.rawValue, request.agentID)
                agent.state = .draining
            }
            try await connection.query(
                "UPDATE agents SET last_heartbeat_at = ?, running_jobs = ?, load_average = ? WHERE id = ?", beat,
                request.load.runningJobs, request.load.loadAverage, request.agentID)
            var renewed: [String] = []
            var revoked: [String] = []
            for leaseID in request.leaseIDs {
                let rows = try await connection.query(
                    """
                    UPDATE jobs SET lease_expires_at = ?
                    WHERE lease_id = ? AND agent_id = ? AND state IN ('leased', 'running') RETURNING id
                    """,
                    beat.timeIntervalSince1970 + ttl, leaseID, request.agentID)
                if rows.isEmpty {
                    revoked.append(leaseID)
                } else {
                    renewed.append(leaseID)
                }
            }
            return HeartbeatReply(renewed: renewed, revoked: revoked, drain: agent.state != .active, leaseTTLS: ttl)
        }
    }

    /// Whether leases may go to this agent now (it is registered and not draining).
    public func agentTakesJobs(id: String) async throws -> Bool {
        try await database.transaction { connection in
            try await Self.agentRow(connection, id: id).state == .active
        }
    }

    /// Marks a node draining: it finishes what it runs and takes no new jobs.
    public func drainAgent(id: String) async throws -> NodeInfo {
        try await database.transaction { connection in
            _ = try await Self.agentRow(connection, id: id)
            try await connection.query("UPDATE agents SET state = ? WHERE id = ?", NodeState.draining.rawValue, id)
        }
        guard let node = try await nodes().first(where: { $0.id == id }) else {
            throw ControlPlaneError.notFound("agent", id)
        }
        return node
    }

    /// Every registered node with its health: offline after three missed heartbeats, drained once a draining
    /// node runs nothing.
    public func nodes() async throws -> [NodeInfo] {
        let current = now().timeIntervalSince1970
        let silence = settings.heartbeatIntervalS * 3
        return try await database.read { connection in
            let running = try await connection.query(
                "SELECT agent_id, COUNT(*) AS n FROM jobs WHERE state IN ('leased', 'running') GROUP BY agent_id")
            var jobsByAgent: [String: Int] = [:]
            for row in running {
                if let agent = try row.optionalString("agent_id") {
                    jobsByAgent[agent] = try row.int("n")
                }
            }
            return try await connection.query("SELECT * FROM agents ORDER BY name, registered_at").map {
                row throws(ControlPlaneError) in
                let id = try row.string("id")
                let lastBeat = try row.optionalDouble("last_heartbeat_at")
                let jobs = jobsByAgent[id] ?? 0
                var state = NodeState(rawValue: try row.string("state")) ?? .active
                if state == .draining && jobs == 0 {
                    state = .drained
                }
                if let lastBeat, current - lastBeat > silence {
                    state = .offline
                }
                return NodeInfo(
                    id: id, name: try row.string("name"), state: state,
                    labels: try Self.decode([String: String].self, try row.string("labels")),
                    slots: try row.int("slots"), runningJobs: jobs, loadAverage: try row.optionalDouble("load_average"),
                    cgroupVersion: CgroupVersion(rawValue: try row.string("cgroup_version")) ?? .v1,
                    toolchains: try Self.decode([Language].self, try row.string("toolchains")),
                    version: try row.string("version"), registeredAt: try row.date("registered_at"),
                    lastHeartbeatAt: lastBeat.map { Date(timeIntervalSince1970: $0) })
            }
        }
    }
}

/// What the metrics endpoint reads from the store.
struct GaugeSnapshot: Sendable {
    var jobsByState: [JobState: Int] = [:]
    var queueDepthByRun: [String: Int] = [:]
    var agentsConnected = 0
}

extension Store {
    func gaugeSnapshot() async throws -> GaugeSnapshot {
        let since = now().timeIntervalSince1970 - settings.heartbeatIntervalS * 3
        return try await database.read { connection in
            var snapshot = GaugeSnapshot()
            for row in try await connection.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let state = JobState(rawValue: try row.string("state")) {
                    snapshot.jobsByState[state] = try row.int("n")
                }
            }
            // Only runs still in flight: a finished run's series would otherwise stay forever.
            for row in try await connection.query(
                """
                SELECT r.id, (SELECT COUNT(*) FROM jobs j WHERE j.run_id = r.id AND j.state = 'queued') AS n
                FROM runs r WHERE r.completed_at IS NULL
                """)
            {
                snapshot.queueDepthByRun[try row.string("id")] = try row.int("n")
            }
            snapshot.agentsConnected =
                try await connection.query(
                    "SELECT COUNT(*) AS n FROM agents WHERE last_heartbeat_at >= ? AND state <> 'drained'", since
                ).first?.int("n") ?? 0
            return snapshot
        }
    }
}
