/// Everything Scoring needs to know about one evaluated job.
///
/// The control plane builds it from a job result, the task (language, scenario, difficulty) and the
/// candidate's metadata (latency, cost). Scoring never looks anything up itself.
public struct JobOutcome: Sendable, Equatable, Codable {
    public var taskID: String
    public var model: String
    /// Leaderboard filters compare these verbatim, e.g. `python`, `code-generation`, `easy`.
    public var language: String
    public var scenario: String
    public var difficulty: String

    public var verdict: Verdict
    /// Tests (or io cases) that reported a status. Empty in `program` mode, where the verdict decides.
    public var tests: [TestOutcome]
    /// The full weight of the task's test suite when known (e.g. `tests_total`, or the sum of the io
    /// cases' weights). Tests that never reported — cut off by a timeout — then count as not passed.
    /// nil means the reported tests are the whole suite.
    public var totalTestWeight: Double?

    public var findings: FindingCounts
    /// Whether a linter looked at the candidate at all. False when the quality step did not run (the build
    /// failed, or the run weighs quality 0 and skipped it): then there is no quality part, rather than a
    /// perfect one for findings nobody looked for.
    public var linted: Bool
    /// Lines of candidate code the findings are measured against.
    public var linesOfCode: Int

    /// CPU seconds of the candidate's test step.
    public var testCPUTimeSeconds: Double?
    /// CPU seconds of the reference solution's test step on the same node; nil when not measured.
    public var referenceCPUTimeSeconds: Double?

    /// The candidate's reported generation latency (`metadata.latency_ms`).
    public var latencyMs: Double?
    /// The candidate's reported cost (`metadata.cost_usd`).
    public var costUSD: Double?

    /// External judgements (staff, user, self-review, team review) of this job.
    public var judgements: [Judgement]

    public init(
        taskID: String,
        model: String,
        language: String = "",
        scenario: String = "",
        difficulty: String = "",
        verdict: Verdict,
        tests: [TestOutcome] = [],
        totalTestWeight: Double? = nil,
        findings: FindingCounts = .none,
        linted: Bool = true,
        linesOfCode: Int = 0,
        testCPUTimeSeconds: Double? = nil,
        referenceCPUTimeSeconds: Double? = nil,
        latencyMs: Double? = nil,
        costUSD: Double? = nil,
        judgements: [Judgement] = []
    ) {
        self.taskID = taskID
        self.model = model
        self.language = language
        self.scenario = scenario
        self.difficulty = difficulty
        self.verdict = verdict
        self.tests = tests
        self.totalTestWeight = totalTestWeight
        self.findings = findings
        self.linted = linted
        self.linesOfCode = linesOfCode
        self.testCPUTimeSeconds = testCPUTimeSeconds
        self.referenceCPUTimeSeconds = referenceCPUTimeSeconds
        self.latencyMs = latencyMs
        self.costUSD = costUSD
        self.judgements = judgements
    }

    /// Rejects impossible measurements, naming the field (`tests[2].weight`, `latency_ms`, ...).
    public func validate() throws(ScoringError) {
        for (index, test) in tests.enumerated() {
            try Check.nonNegative(test.weight, field: "tests[\(index)].weight", code: .invalidOutcome)
        }
        try Check.nonNegative(totalTestWeight, field: "total_test_weight", code: .invalidOutcome)
        do throws(ScoringError) {
            try findings.validate()
        } catch {
            throw error.nested(under: "findings")
        }
        try Check.nonNegative(linesOfCode, field: "lines_of_code", code: .invalidOutcome)
        try Check.nonNegative(testCPUTimeSeconds, field: "test_cpu_time_s", code: .invalidOutcome)
        try Check.nonNegative(referenceCPUTimeSeconds, field: "reference_cpu_time_s", code: .invalidOutcome)
        try Check.nonNegative(latencyMs, field: "latency_ms", code: .invalidOutcome)
        try Check.nonNegative(costUSD, field: "cost_usd", code: .invalidOutcome)
        for (index, judgement) in judgements.enumerated() {
            do throws(ScoringError) {
                try judgement.validate()
            } catch {
                throw error.nested(under: "judgements[\(index)]")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case model
        case language
        case scenario
        case difficulty
        case verdict
        case tests
        case totalTestWeight = "total_test_weight"
        case findings
        case linted
        case linesOfCode = "lines_of_code"
        case testCPUTimeSeconds = "test_cpu_time_s"
        case referenceCPUTimeSeconds = "reference_cpu_time_s"
        case latencyMs = "latency_ms"
        case costUSD = "cost_usd"
        case judgements
    }

    /// Optional and list fields may be left out of the JSON.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            taskID: try container.decode(String.self, forKey: .taskID),
            model: try container.decode(String.self, forKey: .model),
            language: try container.decodeIfPresent(String.self, forKey: .language) ?? "",
            scenario: try container.decodeIfPresent(String.self, forKey: .scenario) ?? "",
            difficulty: try container.decodeIfPresent(String.self, forKey: .difficulty) ?? "",
            verdict: try container.decode(Verdict.self, forKey: .verdict),
            tests: try container.decodeIfPresent([TestOutcome].self, forKey: .tests) ?? [],
            totalTestWeight: try container.decodeIfPresent(Double.self, forKey: .totalTestWeight),
            findings: try container.decodeIfPresent(FindingCounts.self, forKey: .findings) ?? .none,
            linted: try container.decodeIfPresent(Bool.self, forKey: .linted) ?? true,
            linesOfCode: try container.decodeIfPresent(Int.self, forKey: .linesOfCode) ?? 0,
            testCPUTimeSeconds: try container.decodeIfPresent(Double.self, forKey: .testCPUTimeSeconds),
            referenceCPUTimeSeconds: try container.decodeIfPresent(Double.self, forKey: .referenceCPUTimeSeconds),
            latencyMs: try container.decodeIfPresent(Double.self, forKey: .latencyMs),
            costUSD: try container.decodeIfPresent(Double.self, forKey: .costUSD),
            judgements: try container.decodeIfPresent([Judgement].self, forKey: .judgements) ?? []
        )
    }
}
