/// Models ranked by mean final score: `GET /v1/leaderboard`'s body, plus the models that could not
/// be ranked.
public struct Leaderboard: Sendable, Equatable, Codable {
    /// Best first.
    public var entries: [LeaderboardEntry]
    /// Models with jobs in the selection but no score, by name.
    public var unranked: [UnrankedModel]

    public init(entries: [LeaderboardEntry], unranked: [UnrankedModel] = []) {
        self.entries = entries
        self.unranked = unranked
    }

    /// Filters `jobs`, groups them by model and ranks the models.
    ///
    /// Order: score descending, then model name, so equal scores still have a fixed order.
    /// `tied_with_previous` is set when a model's bootstrap interval overlaps the one directly above,
    /// and then the model shares that one's rank.
    public static func rank(
        _ jobs: [ScoredJob], options: LeaderboardOptions = LeaderboardOptions()
    ) throws(ScoringError) -> Leaderboard {
        try Bootstrap.validate(resamples: options.resamples, confidence: options.confidence)
        for (index, k) in options.passAtK.enumerated() where k < 1 {
            throw ScoringError(
                code: .invalidArgument, field: "passAtK[\(index)]", message: "must be at least 1, got \(k)")
        }
        let selected = jobs.filter { options.filter.matches($0.outcome) }
        let byModel = Dictionary(grouping: selected, by: \.outcome.model)

        var rows: [LeaderboardEntry] = []
        var unranked: [UnrankedModel] = []
        for model in byModel.keys.sorted() {
            let modelJobs = byModel[model] ?? []
            if let row = try summarise(model: model, jobs: modelJobs, options: options) {
                rows.append(row)
            } else {
                let scoreable = modelJobs.filter(\.isScoreable).count
                unranked.append(
                    UnrankedModel(model: model, jobs: scoreable, erroredJobs: modelJobs.count - scoreable))
            }
        }

        rows.sort { ($0.score, $1.model) > ($1.score, $0.model) }
        for index in rows.indices {
            guard index > 0 else { continue }
            let above = rows[index - 1]
            rows[index].tiedWithPrevious = rows[index].interval.overlaps(above.interval)
            rows[index].rank = rows[index].tiedWithPrevious ? above.rank : index + 1
        }
        return Leaderboard(entries: rows, unranked: unranked)
    }

    /// One model's row, or nil when it has no scored job. Rank and ties are filled in after sorting.
    private static func summarise(
        model: String, jobs: [ScoredJob], options: LeaderboardOptions
    ) throws(ScoringError) -> LeaderboardEntry? {
        let scoreable = jobs.filter(\.isScoreable)
        // Sorted so the interval does not depend on the order jobs arrived in.
        let scores = scoreable.compactMap(\.finalScore).sorted()
        guard let score = mean(scores),
            let interval = try Bootstrap.meanInterval(
                of: scores, resamples: options.resamples, confidence: options.confidence,
                seed: options.seed ^ stableHash(model))
        else { return nil }

        let passed = scoreable.filter { $0.outcome.verdict == .passed }.count
        let perTask = candidatesPerTask(scoreable)
        var passAtK: [Int: Double] = [:]
        for k in options.passAtK where perTask.allSatisfy({ $0.n >= k }) {
            passAtK[k] = try PassAtK.mean(perTask, k: k)
        }
        let latencies = scoreable.compactMap(\.outcome.latencyMs).sorted()
        let costs = scoreable.compactMap(\.outcome.costUSD)
        let totalCost = costs.isEmpty ? nil : costs.reduce(0, +)

        return LeaderboardEntry(
            rank: 1,
            model: model,
            score: score,
            ciLow: interval.low,
            ciHigh: interval.high,
            tiedWithPrevious: false,
            passRate: Double(passed) / Double(scoreable.count),
            passAt1: try PassAtK.mean(perTask, k: 1) ?? 0,
            passAtK: passAtK,
            jobs: scoreable.count,
            erroredJobs: jobs.count - scoreable.count,
            meanLatencyMs: mean(latencies),
            p95LatencyMs: latencies.isEmpty ? nil : Quantile.interpolated(latencies, 0.95),
            totalCostUSD: totalCost,
            costPerPassedUSD: passed > 0 ? totalCost.map { $0 / Double(passed) } : nil)
    }

    /// Each task's candidates (this model's scoreable jobs on it): how many, and how many passed.
    private static func candidatesPerTask(_ jobs: [ScoredJob]) -> [(n: Int, c: Int)] {
        let byTask = Dictionary(grouping: jobs, by: \.outcome.taskID)
        return byTask.keys.sorted().map { task in
            let taskJobs = byTask[task] ?? []
            return (n: taskJobs.count, c: taskJobs.filter { $0.outcome.verdict == .passed }.count)
        }
    }
}
