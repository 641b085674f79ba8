/// Which jobs a leaderboard counts: `GET /v1/leaderboard?language=…&scenario=…&difficulty=…`.
/// A nil field matches everything; a set field must equal the job's value exactly.
public struct LeaderboardFilter: Sendable, Equatable, Codable {
    public var language: String?
    public var scenario: String?
    public var difficulty: String?

    public static let all = LeaderboardFilter()

    public init(language: String? = nil, scenario: String? = nil, difficulty: String? = nil) {
        self.language = language
        self.scenario = scenario
        self.difficulty = difficulty
    }

    public func matches(_ job: JobOutcome) -> Bool {
        (language.map { $0 == job.language } ?? true)
            && (scenario.map { $0 == job.scenario } ?? true)
            && (difficulty.map { $0 == job.difficulty } ?? true)
    }
}

/// How a leaderboard is built.
public struct LeaderboardOptions: Sendable, Equatable {
    /// Applied before anything is counted or ranked.
    public var filter: LeaderboardFilter
    /// Bootstrap resamples per model (default 1000).
    public var resamples: Int
    /// Interval coverage (default 0.95).
    public var confidence: Double
    /// Bootstrap seed. Each model's generator starts from this seed mixed with a stable hash of its
    /// name, so a model's interval depends only on its own scores, not on the other models.
    public var seed: UInt64
    /// The k of each pass@k to report (default [1]). Each must be at least 1.
    public var passAtK: [Int]

    public init(
        filter: LeaderboardFilter = .all,
        resamples: Int = Bootstrap.defaultResamples,
        confidence: Double = Bootstrap.defaultConfidence,
        seed: UInt64 = 0,
        passAtK: [Int] = [1]
    ) {
        self.filter = filter
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
        self.passAtK = passAtK
    }
}
