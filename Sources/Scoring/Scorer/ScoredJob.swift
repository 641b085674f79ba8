/// A job together with its scores: the unit leaderboards, agreement and preference pairs work on.
public struct ScoredJob: Sendable, Equatable, Codable {
    public var outcome: JobOutcome
    /// The `score` object; nil for an `errored` job.
    public var score: JobScore?
    /// The automated score blended with the job's judgements; nil for an `errored` job, or when no
    /// judge with a positive weight has a score for it.
    public var finalScore: Double?

    public init(outcome: JobOutcome, score: JobScore?, finalScore: Double?) {
        self.outcome = outcome
        self.score = score
        self.finalScore = finalScore
    }

    /// False for `errored` jobs, which no aggregate counts.
    public var isScoreable: Bool { outcome.verdict.isScoreable }

    private enum CodingKeys: String, CodingKey {
        case outcome
        case score
        case finalScore = "final_score"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(score, forKey: .score)
        try container.encode(finalScore, forKey: .finalScore)
    }
}
