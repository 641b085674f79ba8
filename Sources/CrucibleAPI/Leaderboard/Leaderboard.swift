import Foundation

// `GET /v1/leaderboard?run=ID&language=…&scenario=…&difficulty=…`: models ranked by their blended score.

public struct Leaderboard: Codable, Sendable, Hashable {
    public var entries: [LeaderboardEntry]
    /// How far the human judges of these jobs agree (Krippendorff's alpha, interval metric: 1 perfect, 0 no
    /// better than chance); null with fewer than two judgements of one job.
    public var judgeAgreement: Double?

    public init(entries: [LeaderboardEntry], judgeAgreement: Double? = nil) {
        self.entries = entries
        self.judgeAgreement = judgeAgreement
    }

    enum CodingKeys: String, CodingKey {
        case entries
        case judgeAgreement = "judge_agreement"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decode([LeaderboardEntry].self, forKey: .entries)
        judgeAgreement = try container.decodeIfPresent(Double.self, forKey: .judgeAgreement)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(judgeAgreement, forKey: .judgeAgreement)  // explicit null
    }
}

public struct LeaderboardEntry: Codable, Sendable, Hashable {
    /// 1-based; models whose intervals tie may share a rank.
    public var rank: Int
    public var model: String
    /// Mean blended score, 0–100.
    public var score: Double
    /// The 95% bootstrap confidence interval of `score`.
    public var ciLow: Double
    public var ciHigh: Double
    /// Fraction (0–1) of the model's jobs whose verdict is `passed`.
    public var passRate: Double
    /// Unbiased pass@1 estimate (0–1) over tasks.
    public var passAt1: Double
    /// Unbiased pass@k (0–1) over tasks for each k the request asked for (`?k=1,10`), keyed by k. Null
    /// when some task has fewer than k scored candidates of this model: no unbiased estimate exists.
    public var passAtK: [String: Double?]
    /// Scored jobs behind the row.
    public var jobs: Int
    /// Null when no candidate reported a latency.
    public var meanLatencyMS: Double?
    /// Null when no candidate reported a cost.
    public var totalCostUSD: Double?
    /// Whether this model's interval overlaps the one ranked above it (then both share a rank).
    public var tied: Bool
    /// Jobs the infrastructure failed: not scored, shown so nobody mistakes them for the model's.
    public var erroredJobs: Int
    public var p95LatencyMS: Double?
    public var costPerPassedUSD: Double?

    public init(
        rank: Int, model: String, score: Double, ciLow: Double, ciHigh: Double, passRate: Double, passAt1: Double,
        passAtK: [String: Double?] = [:], jobs: Int, meanLatencyMS: Double? = nil, totalCostUSD: Double? = nil,
        tied: Bool = false, erroredJobs: Int = 0, p95LatencyMS: Double? = nil, costPerPassedUSD: Double? = nil
    ) {
        self.rank = rank
        self.model = model
        self.score = score
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.passRate = passRate
        self.passAt1 = passAt1
        self.passAtK = passAtK
        self.jobs = jobs
        self.meanLatencyMS = meanLatencyMS
        self.totalCostUSD = totalCostUSD
        self.tied = tied
        self.erroredJobs = erroredJobs
        self.p95LatencyMS = p95LatencyMS
        self.costPerPassedUSD = costPerPassedUSD
    }

    enum CodingKeys: String, CodingKey {
        case rank, model, score
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case passRate = "pass_rate"
        case passAt1 = "pass_at_1"
        case passAtK = "pass_at_k"
        case jobs
        case meanLatencyMS = "mean_latency_ms"
        case totalCostUSD = "total_cost_usd"
        case tied
        case erroredJobs = "errored_jobs"
        case p95LatencyMS = "p95_latency_ms"
        case costPerPassedUSD = "cost_per_passed_usd"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rank = try container.decode(Int.self, forKey: .rank)
        model = try container.decode(String.self, forKey: .model)
        score = try container.decode(Double.self, forKey: .score)
        ciLow = try container.decode(Double.self, forKey: .ciLow)
        ciHigh = try container.decode(Double.self, forKey: .ciHigh)
        passRate = try container.decode(Double.self, forKey: .passRate)
        passAt1 = try container.decode(Double.self, forKey: .passAt1)
        passAtK = try container.decodeIfPresent([String: Double?].self, forKey: .passAtK) ?? [:]
        jobs = try container.decode(Int.self, forKey: .jobs)
        meanLatencyMS = try container.decodeIfPresent(Double.self, forKey: .meanLatencyMS)
        totalCostUSD = try container.decodeIfPresent(Double.self, forKey: .totalCostUSD)
        tied = try container.decodeIfPresent(Bool.self, forKey: .tied) ?? false
        erroredJobs = try container.decodeIfPresent(Int.self, forKey: .erroredJobs) ?? 0
        p95LatencyMS = try container.decodeIfPresent(Double.self, forKey: .p95LatencyMS)
        costPerPassedUSD = try container.decodeIfPresent(Double.self, forKey: .costPerPassedUSD)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(model, forKey: .model)
        try container.encode(score, forKey: .score)
        try container.encode(ciLow, forKey: .ciLow)
        try container.encode(ciHigh, forKey: .ciHigh)
        try container.encode(passRate, forKey: .passRate)
        try container.encode(passAt1, forKey: .passAt1)
        try container.encode(passAtK, forKey: .passAtK)  // a k without an estimate is an explicit null
        try container.encode(jobs, forKey: .jobs)
        try container.encode(meanLatencyMS, forKey: .meanLatencyMS)  // explicit null
        try container.encode(totalCostUSD, forKey: .totalCostUSD)  // explicit null
        try container.encode(tied, forKey: .tied)
        try container.encode(erroredJobs, forKey: .erroredJobs)
        try container.encode(p95LatencyMS, forKey: .p95LatencyMS)  // explicit null
        try container.encode(costPerPassedUSD, forKey: .costPerPassedUSD)  // explicit null
    }
}

/// Filters shared by `GET /v1/leaderboard` and `GET /v1/tasks`; nil means "any".
public struct TaskFilter: Sendable, Hashable {
    public var language: Language?
    public var scenario: Scenario?
    public var difficulty: Difficulty?

    public init(language: Language? = nil, scenario: Scenario? = nil, difficulty: Difficulty? = nil) {
        self.language = language
        self.scenario = scenario
        self.difficulty = difficulty
    }

    public func matches(_ task: TaskSpec) -> Bool {
        (language == nil || language == task.language) && (scenario == nil || scenario == task.scenario)
            && (difficulty == nil || difficulty == task.difficulty)
    }

    /// Parses `language`, `scenario` and `difficulty` query parameters; other parameters are left alone.
    /// Every bad value is reported, each naming its parameter.
    public init(query: [String: String]) throws(CrucibleAPIError) {
        var issues: [ValidationIssue] = []
        func parse<E: WireEnum>(_ type: E.Type, _ name: String) -> E? {
            guard let raw = query[name] else {
                return nil
            }
            switch E.parse(raw, field: name) {
            case .success(let value):
                return value
            case .failure(let error):
                issues += error.issues
                return nil
            }
        }
        self.init(
            language: parse(Language.self, "language"), scenario: parse(Scenario.self, "scenario"),
            difficulty: parse(Difficulty.self, "difficulty"))
        if let error = CrucibleAPIError(issues) {
            throw error
        }
    }

    /// Back to query parameters, for clients building URLs.
    public var queryItems: [(name: String, value: String)] {
        [("language", language?.rawValue), ("scenario", scenario?.rawValue), ("difficulty", difficulty?.rawValue)]
            .compactMap { name, value in value.map { (name, $0) } }
    }
}

/// The query of `GET /v1/leaderboard`: an optional run, plus task filters.
public struct LeaderboardQuery: Sendable, Hashable {
    public var runID: String?
    public var filter: TaskFilter
    /// The k of each pass@k the entries report (`k=1,10`).
    public var passAtK: [Int]

    public static let maxPassAtK = 1000
    public static let maxPassAtKValues = 10

    public init(runID: String? = nil, filter: TaskFilter = TaskFilter(), passAtK: [Int] = [1]) {
        self.runID = runID
        self.filter = filter
        self.passAtK = passAtK
    }

    /// The `k` parameter: a comma-separated list of whole numbers 1...1000, at most 10 distinct ones, kept
    /// in the order given.
    public static func passAtK(parsing raw: String) throws(CrucibleAPIError) -> [Int] {
        func problem(_ message: String) -> CrucibleAPIError {
            CrucibleAPIError(ValidationIssue(code: .invalidQuery, field: "k", message: message))
        }
        var values: [Int] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let k = Int(text), (1...maxPassAtK).contains(k) else {
                throw problem("has \"\(text)\"; use whole numbers from 1 to \(maxPassAtK), e.g. k=1,10")
            }
            if !values.contains(k) {
                values.append(k)
            }
        }
        guard values.count <= maxPassAtKValues else {
            throw problem("lists \(values.count) values; ask for at most \(maxPassAtKValues)")
        }
        return values
    }

    public init(query: [String: String], limits: ValidationLimits = .default) throws(CrucibleAPIError) {
        var issues: [ValidationIssue] = []
        if let run = query["run"] {
            issues += IdentifierRules.issues(
                id: run, what: "run id", at: FieldPath.root.field("run"), code: .invalidQuery, limits: limits)
        }
        var filter = TaskFilter()
        do {
            filter = try TaskFilter(query: query)
        } catch {
            issues += error.issues
        }
        var passAtK = [1]
        if let raw = query["k"] {
            do {
                passAtK = try Self.passAtK(parsing: raw)
            } catch {
                issues += error.issues
            }
        }
        if let error = CrucibleAPIError(issues) {
            throw error
        }
        self.init(runID: query["run"], filter: filter, passAtK: passAtK)
    }

    public var queryItems: [(name: String, value: String)] {
        (runID.map { [("run", $0)] } ?? []) + filter.queryItems
            + (passAtK == [1] ? [] : [("k", passAtK.map(String.init).joined(separator: ","))])
    }
}
