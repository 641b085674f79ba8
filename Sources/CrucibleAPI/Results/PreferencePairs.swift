// `GET /v1/runs/{id}/preferences`: pairs of answers to the same task, the better-scored one `chosen`, for
// preference training (RLHF, DPO). `chosen` and `rejected` are the candidates' files as one text each.

public struct PreferencePairEntry: Codable, Sendable, Hashable {
    public var taskID: String
    public var prompt: String
    public var chosen: String
    public var rejected: String
    public var chosenJobID: String
    public var rejectedJobID: String
    public var chosenScore: Double
    public var rejectedScore: Double

    public init(
        taskID: String, prompt: String, chosen: String, rejected: String, chosenJobID: String, rejectedJobID: String,
        chosenScore: Double, rejectedScore: Double
    ) {
        self.taskID = taskID
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.chosenJobID = chosenJobID
        self.rejectedJobID = rejectedJobID
        self.chosenScore = chosenScore
        self.rejectedScore = rejectedScore
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case prompt, chosen, rejected
        case chosenJobID = "chosen_job_id"
        case rejectedJobID = "rejected_job_id"
        case chosenScore = "chosen_score"
        case rejectedScore = "rejected_score"
    }
}

public struct PreferencePairList: Codable, Sendable, Hashable {
    public var pairs: [PreferencePairEntry]

    public init(pairs: [PreferencePairEntry]) {
        self.pairs = pairs
    }
}
