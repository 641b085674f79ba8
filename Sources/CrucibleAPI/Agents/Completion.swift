// `POST /v1/jobs/{id}/complete`: the job's one result, keyed by the lease it was run under. A stale lease
// (expired, revoked, or already completed) gets 409 `stale_lease`: each job has exactly one result.

public struct CompletionRequest: Codable, Sendable, Hashable {
    public var leaseID: String
    /// An `errored` verdict reports an infrastructure failure; the job is retried elsewhere, up to a limit.
    public var result: JobResult

    public init(leaseID: String, result: JobResult) {
        self.leaseID = leaseID
        self.result = result
    }

    enum CodingKeys: String, CodingKey {
        case leaseID = "lease_id"
        case result
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
