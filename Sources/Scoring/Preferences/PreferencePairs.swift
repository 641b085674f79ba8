/// One candidate answer offered for preference pairs: a job's response text and final score.
public struct PreferenceCandidate: Sendable, Equatable, Codable {
    /// Identifies the candidate (e.g. the job id); also breaks ties in ordering.
    public var id: String
    public var taskID: String
    public var prompt: String
    /// The candidate's answer as the model produced it.
    public var response: String
    /// Final score, 0–100; nil (an `errored` or unscored job) leaves the candidate out.
    public var score: Double?

    public init(id: String, taskID: String, prompt: String, response: String, score: Double?) {
        self.id = id
        self.taskID = taskID
        self.prompt = prompt
        self.response = response
        self.score = score
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case taskID = "task_id"
        case prompt
        case response
        case score
    }
}

/// A training pair for preference learning (DPO, reward models): `{"prompt", "chosen", "rejected"}`
/// plus where it came from.
public struct PreferencePair: Sendable, Equatable, Codable {
    public var taskID: String
    public var prompt: String
    public var chosen: String
    public var rejected: String
    public var chosenID: String
    public var rejectedID: String
    public var chosenScore: Double
    public var rejectedScore: Double

    public init(
        taskID: String, prompt: String, chosen: String, rejected: String, chosenID: String, rejectedID: String,
        chosenScore: Double, rejectedScore: Double
    ) {
        self.taskID = taskID
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.chosenID = chosenID
        self.rejectedID = rejectedID
        self.chosenScore = chosenScore
        self.rejectedScore = rejectedScore
    }

    private enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case prompt
        case chosen
        case rejected
        case chosenID = "chosen_id"
        case rejectedID = "rejected_id"
        case chosenScore = "chosen_score"
        case rejectedScore = "rejected_score"
    }
}

public enum PreferencePairs {
    /// Every pair of candidates for the same task where `chosen` scored strictly higher than
    /// `rejected`, by at least `minimumMargin` points.
    ///
    /// Unscored candidates and pairs with identical responses (nothing to learn) are skipped. The
    /// order is fixed whatever the input order: tasks by id; within a task, candidates ranked by
    /// score (highest first, then id) and pairs listed chosen-major in that ranking.
    ///
    /// - Throws: when a score is outside 0–100, the margin is negative or not finite, or two
    ///   candidates of one task carry different prompts (`candidates[i].prompt`).
    public static func make(
        from candidates: [PreferenceCandidate], minimumMargin: Double = 0
    ) throws(ScoringError) -> [PreferencePair] {
        try Check.nonNegative(minimumMargin, field: "minimum_margin", code: .invalidArgument)
        var prompts: [String: String] = [:]
        for (index, candidate) in candidates.enumerated() {
            if let score = candidate.score {
                try Check.percentage(score, field: "candidates[\(index)].score", code: .invalidArgument)
            }
            if let prompt = prompts[candidate.taskID], prompt != candidate.prompt {
                throw ScoringError(
                    code: .invalidArgument, field: "candidates[\(index)].prompt",
                    message: "differs from the prompt of an earlier candidate for task \"\(candidate.taskID)\"; "
                        + "candidates of one task must share its prompt")
            }
            prompts[candidate.taskID] = candidate.prompt
        }

        let scored = candidates.compactMap { candidate in candidate.score.map { (candidate, $0) } }
        let byTask = Dictionary(grouping: scored, by: \.0.taskID)
        var pairs: [PreferencePair] = []
        for task in byTask.keys.sorted() {
            let ranked = (byTask[task] ?? []).sorted { ($0.1, $1.0.id) > ($1.1, $0.0.id) }
            for (i, better) in ranked.enumerated() {
                for worse in ranked[(i + 1)...] {
                    let margin = better.1 - worse.1
                    guard margin > 0, margin >= minimumMargin, better.0.response != worse.0.response else { continue }
                    pairs.append(
                        PreferencePair(
                            taskID: task, prompt: better.0.prompt, chosen: better.0.response,
                            rejected: worse.0.response, chosenID: better.0.id, rejectedID: worse.0.id,
                            chosenScore: better.1, rejectedScore: worse.1))
                }
            }
        }
        return pairs
    }
}
