// `POST /v1/jobs/{id}/complete`: the job's one result, keyed by the lease it was run under. A stale lease
// (expired, revoked, or already completed) gets 409 `stale_lease`: each job has exactly one result.

public struct CompletionRequest: Codable, Sendable, Hashable {
    public var leaseID: String
    /// An `errored` verdict reports an infrastructure failure; the job is retried elsewhere, up to a limit.
    public var result: JobResult
    /// CPU seconds of the task's reference solution's test step, measured on the node that ran the job, so
    /// the efficiency score compares like with like; absent when the task has no reference or it was not
    /// measured.
    public var referenceCPUTimeS: Double?

    public init(leaseID: String, result: JobResult, referenceCPUTimeS: Double? = nil) {
        self.leaseID = leaseID
        self.result = result
        self.referenceCPUTimeS = referenceCPUTimeS
    }

    enum CodingKeys: String, CodingKey {
        case leaseID = "lease_id"
        case result
        case referenceCPUTimeS = "reference_cpu_time_s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leaseID = try container.decode(String.self, forKey: .leaseID)
        result = try container.decode(JobResult.self, forKey: .result)
        referenceCPUTimeS = try container.decodeIfPresent(Double.self, forKey: .referenceCPUTimeS)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leaseID, forKey: .leaseID)
        try container.encode(result, forKey: .result)
        // Optional in the request: left out rather than null, so older agents' bodies stay valid as they are.
        try container.encodeIfPresent(referenceCPUTimeS, forKey: .referenceCPUTimeS)
    }
}

public struct CompletionReply: Codable, Sendable, Hashable {
    public var jobID: String
    /// `completed`, `errored`, or `queued` when an errored job goes back for another attempt.
    public var state: JobState

    public init(jobID: String, state: JobState) {
        self.jobID = jobID
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case state
    }
}
