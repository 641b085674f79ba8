// `POST /v1/runs`: tasks (inline, or ids from the task bank, or both) and candidates that refer to them.
// Each candidate becomes one job.

public struct RunSubmission: Codable, Sendable, Hashable {
    public var name: String
    /// Tasks sent with the run.
    public var tasks: [TaskSpec]?
    /// Ids of tasks already in the task bank.
    public var taskIDs: [String]?
    public var candidates: [Candidate]
    /// Overrides of the automated score weights, keyed by `ScoreComponent` names; see `ScoreWeights`.
    /// Kept as a plain map so an unknown key is reported at `weights["key"]` by validation.
    public var weights: [String: Double]?
    /// The run's share of the cluster against other runs of its tenant (1–100, default 1): a run with
    /// priority 2 gets twice the slots of a run with priority 1 while both have queued jobs.
    public var priority: Int?

    public init(
        name: String, tasks: [TaskSpec]? = nil, taskIDs: [String]? = nil, candidates: [Candidate],
        weights: [String: Double]? = nil, priority: Int? = nil
    ) {
        self.name = name
        self.tasks = tasks
        self.taskIDs = taskIDs
        self.candidates = candidates
        self.weights = weights
        self.priority = priority
    }

    enum CodingKeys: String, CodingKey {
        case name, tasks
        case taskIDs = "task_ids"
        case candidates, weights, priority
    }

    public static let priorityRange = 1...100

    /// Every task id the candidates may refer to: inline tasks first, then bank ids.
    public var allTaskIDs: [String] {
        (tasks ?? []).map(\.id) + (taskIDs ?? [])
    }

    /// The effective automated-score weights: the defaults when none are given.
    /// Only meaningful after validation (unknown keys are dropped here).
    public var scoreWeights: ScoreWeights {
        guard let weights else {
            return .defaults
        }
        return ScoreWeights(wireMap: weights)
    }
}

/// The `201` reply of `POST /v1/runs`.
public struct RunCreated: Codable, Sendable, Hashable {
    public var id: String
    /// How many jobs the run made (one per candidate).
    public var jobs: Int

    public init(id: String, jobs: Int) {
        self.id = id
        self.jobs = jobs
    }
}
