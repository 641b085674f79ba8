// `GET /v1/runs/{id}/results`: {"results": [job result + "job_id", "state"]}, one entry per job.
// With `Accept: application/x-ndjson` the same entries come one per line instead.

public struct RunResults: Codable, Sendable, Hashable {
    public var results: [RunResultEntry]

    public init(results: [RunResultEntry]) {
        self.results = results
    }
}

/// A job result with its job id and state mixed into the same object. A job that has no result yet
/// (queued, leased, running, cancelled) still has every key: `verdict` and `score` are null, lists empty,
/// counts and usage zero. So every entry has the same shape.
public struct RunResultEntry: Codable, Sendable, Hashable {
    public var jobID: String
    public var state: JobState
    public var taskID: String
    public var model: String
    /// Nil until the job has been evaluated (or errored).
    public var result: JobResult?

    public init(jobID: String, state: JobState, taskID: String, model: String, result: JobResult? = nil) {
        self.jobID = jobID
        self.state = state
        self.taskID = taskID
        self.model = model
        self.result = result
    }

    /// An entry for a job that has a result; task and model come from it.
    public init(jobID: String, state: JobState, result: JobResult) {
        self.init(jobID: jobID, state: state, taskID: result.taskID, model: result.model, result: result)
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case state
        case verdict
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jobID = try container.decode(String.self, forKey: .jobID)
        state = try container.decode(JobState.self, forKey: .state)
        // A missing `verdict` falls through to JobResult, which reports it as missing.
        if container.contains(.verdict), try container.decodeNil(forKey: .verdict) {
            let pending = try PendingResult(from: decoder)
            taskID = pending.taskID
            model = pending.model
            result = nil
        } else {
            let result = try JobResult(from: decoder)
            taskID = result.taskID
            model = result.model
            self.result = result
        }
    }

    public func encode(to encoder: any Encoder) throws {
        // The result's keys and ours share one JSON object.
        if let result {
            try result.encode(to: encoder)
        } else {
            try PendingResult(taskID: taskID, model: model).encode(to: encoder)
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(state, forKey: .state)
    }

    /// The keys of an entry without a result: task and model, everything else null, empty or zero.
    private struct PendingResult: Codable {
        var taskID: String
        var model: String

        init(taskID: String, model: String) {
            self.taskID = taskID
            self.model = model
        }

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case model, verdict, error, steps, tests
            case testsPassed = "tests_passed"
            case testsTotal = "tests_total"
            case findings, usage, score
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            taskID = try container.decode(String.self, forKey: .taskID)
            model = try container.decode(String.self, forKey: .model)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(taskID, forKey: .taskID)
            try container.encode(model, forKey: .model)
            try container.encodeNil(forKey: .verdict)
            try container.encodeNil(forKey: .error)
            try container.encode([StepResult](), forKey: .steps)
            try container.encode([TestResult](), forKey: .tests)
            try container.encode(0, forKey: .testsPassed)
            try container.encode(0, forKey: .testsTotal)
            try container.encode([Finding](), forKey: .findings)
            try container.encode(ResourceUsage(), forKey: .usage)
            try container.encodeNil(forKey: .score)
        }
    }
}
