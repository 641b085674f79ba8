/// Scores jobs under one validated `ScoringConfig`.
///
/// ```swift
/// let scorer = try Scorer(config: ScoringConfig(weights: ScoreWeights(validating: run.weights)))
/// let scored = try scorer.score(outcomes)          // [ScoredJob]
/// let board = try Leaderboard.rank(scored)
/// ```
public struct Scorer: Sendable {
    public let config: ScoringConfig

    /// Validates the configuration once, so scoring itself only has inputs left to check.
    public init(config: ScoringConfig = .default) throws(ScoringError) {
        try config.validate()
        self.config = config
    }

    /// Automated and final score of one job. An `errored` job gets neither (both nil): it is not the
    /// model's failure, and leaderboards leave it out.
    public func score(_ job: JobOutcome) throws(ScoringError) -> ScoredJob {
        let automated = try automatedScore(for: job)
        let final: Double?
        if job.verdict.isScoreable {
            final = try finalScore(automated: automated?.automated, judgements: job.judgements)
        } else {
            final = nil
        }
        return ScoredJob(outcome: job, score: automated, finalScore: final)
    }

    /// Scores many jobs; an error names the job, e.g. `jobs[3].latency_ms`.
    public func score(_ jobs: [JobOutcome]) throws(ScoringError) -> [ScoredJob] {
        var scored: [ScoredJob] = []
        scored.reserveCapacity(jobs.count)
        for (index, job) in jobs.enumerated() {
            do throws(ScoringError) {
                scored.append(try score(job))
            } catch {
                throw error.nested(under: "jobs[\(index)]")
            }
        }
        return scored
    }
}
