extension Scorer {
    /// Blends the automated score with the job's judgements into its final score, 0–100.
    ///
    /// Several judgements of one kind are averaged first; then each kind counts with its
    /// `judgeWeights` weight, renormalised over the kinds that have a score. Returns nil when no
    /// kind with a positive weight has one. Judgement scores outside 0–100 are an error naming the
    /// field, e.g. `judgements[2].score`.
    public func finalScore(automated: Double?, judgements: [Judgement]) throws(ScoringError) -> Double? {
        if let automated {
            try Check.percentage(automated, field: "automated", code: .invalidArgument)
        }
        for (index, judgement) in judgements.enumerated() {
            do throws(ScoringError) {
                try judgement.validate()
            } catch {
                throw error.nested(under: "judgements[\(index)]")
            }
        }
        let byKind = JudgeScores.perKind(automated: automated, judgements: judgements)
        return WeightedMean.renormalised(
            JudgeKind.allCases.map { (value: byKind[$0], weight: config.judgeWeights[$0]) })
    }
}

/// One score per judge kind for a job.
enum JudgeScores {
    /// The automated score, and for each other kind the mean of its judgements. Kinds with no score
    /// are missing from the result.
    static func perKind(automated: Double?, judgements: [Judgement]) -> [JudgeKind: Double] {
        var grouped: [JudgeKind: [Double]] = [:]
        for judgement in judgements where judgement.kind != .automated {
            grouped[judgement.kind, default: []].append(judgement.score)
        }
        var result = grouped.compactMapValues { mean($0) }
        result[.automated] = automated
        return result
    }
}
