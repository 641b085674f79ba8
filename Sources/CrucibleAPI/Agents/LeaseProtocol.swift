// `POST /v1/agents/lease` and `POST /v1/agents/heartbeat`. An agent long-polls for up to `max_jobs` jobs,
// waiting up to `wait_s` seconds when none is queued; each leased job carries a lease id that every later
// call about the job must quote. Heartbeats renew the leases; a lease not renewed in time expires and its job
// goes back to the queue, so a completion quoting it is refused as stale.

public struct LeaseRequest: Codable, Sendable, Hashable {
    public var agentID: String
    /// Free slots: at most this many jobs come back.
    public var maxJobs: Int
    /// Seconds to hold the request open when no job is queued; 0 answers at once.
    public var waitS: Double
    /// Labels to match jobs against; empty means the ones given at registration.
    public var labels: [String: String]
    /// Leases of jobs that have finished running on this agent and whose results are on their way: their
    /// slots are free, so the next jobs need not wait for those results to arrive. Absent: none.
    public var finished: [String]

    public init(agentID: String, maxJobs: Int, waitS: Double, labels: [String: String] = [:], finished: [String] = []) {
        self.agentID = agentID
        self.maxJobs = maxJobs
        self.waitS = waitS
        self.labels = labels
        self.finished = finished
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case maxJobs = "max_jobs"
        case waitS = "wait_s"
        case labels, finished
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try container.decode(String.self, forKey: .agentID)
        maxJobs = try container.decode(Int.self, forKey: .maxJobs)
        waitS = try container.decodeIfPresent(Double.self, forKey: .waitS) ?? 0
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        finished = try container.decodeIfPresent([String].self, forKey: .finished) ?? []
    }
}

/// The reply to a lease request; `jobs` is empty when the wait ran out.
public struct LeaseReply: Codable, Sendable, Hashable {
    public var jobs: [LeasedJob]

    public init(jobs: [LeasedJob]) {
        self.jobs = jobs
    }
}

/// Everything an agent needs to run one job, without asking again.
public struct LeasedJob: Codable, Sendable, Hashable {
    public var leaseID: String
    public var jobID: String
    public var runID: String
    /// 1 for the first lease of the job, 2 after one expired lease, and so on.
    public var attempt: Int
    public var task: TaskSpec
    public var candidate: Candidate
    /// The run's score weights (`ScoreComponent` names), so an agent measures only what will be scored:
    /// no lint step when quality weighs 0, no reference timing when efficiency does. nil: the defaults.
    public var weights: [String: Double]?

    public init(
        leaseID: String, jobID: String, runID: String, attempt: Int, task: TaskSpec, candidate: Candidate,
        weights: [String: Double]? = nil
    ) {
        self.leaseID = leaseID
        self.jobID = jobID
        self.runID = runID
        self.attempt = attempt
        self.task = task
        self.candidate = candidate
        self.weights = weights
    }

    /// The weights this job is scored with.
    public var scoreWeights: ScoreWeights {
        weights.map(ScoreWeights.init(wireMap:)) ?? .defaults
    }

    enum CodingKeys: String, CodingKey {
        case leaseID = "lease_id"
        case jobID = "job_id"
        case runID = "run_id"
        case attempt, task, candidate, weights
    }
}

public struct HeartbeatRequest: Codable, Sendable, Hashable {
    public var agentID: String
    /// The leases the agent is still working on; each is renewed unless the server has revoked it.
    public var leaseIDs: [String]
    public var load: AgentLoad
    /// True once the agent has stopped taking jobs (SIGTERM, `drain()`): the control plane marks it draining
    /// and answers its waiting lease request at once, so no job is leased to an agent that will not run it.
    /// Absent: nothing changes.
    public var draining: Bool?

    public init(agentID: String, leaseIDs: [String], load: AgentLoad, draining: Bool? = nil) {
        self.agentID = agentID
        self.leaseIDs = leaseIDs
        self.load = load
        self.draining = draining
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case leaseIDs = "lease_ids"
        case load, draining
    }
}

/// How busy the node is right now.
public struct AgentLoad: Codable, Sendable, Hashable {
    public var runningJobs: Int
    public var slots: Int
    /// 1-minute load average; null when unknown.
    public var loadAverage: Double?

    public init(runningJobs: Int, slots: Int, loadAverage: Double? = nil) {
        self.runningJobs = runningJobs
        self.slots = slots
        self.loadAverage = loadAverage
    }

    enum CodingKeys: String, CodingKey {
        case runningJobs = "running_jobs"
        case slots
        case loadAverage = "load_average"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runningJobs, forKey: .runningJobs)
        try container.encode(slots, forKey: .slots)
        try container.encode(loadAverage, forKey: .loadAverage)  // explicit null
    }
}

public struct HeartbeatReply: Codable, Sendable, Hashable {
    /// Leases extended by `lease_ttl_s` from now.
    public var renewed: [String]
    /// Leases the agent must stop working on (expired, or the run was cancelled); their results are refused.
    public var revoked: [String]
    /// True when an operator asked the node to drain: finish running jobs, lease no more.
    public var drain: Bool
    public var leaseTTLS: Double

    public init(renewed: [String], revoked: [String], drain: Bool, leaseTTLS: Double) {
        self.renewed = renewed
        self.revoked = revoked
        self.drain = drain
        self.leaseTTLS = leaseTTLS
    }

    enum CodingKeys: String, CodingKey {
        case renewed, revoked, drain
        case leaseTTLS = "lease_ttl_s"
    }
}
