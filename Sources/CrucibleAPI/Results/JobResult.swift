// The outcome of evaluating one candidate against one task: what `crucible exec` prints and what an agent
// sends on completion.

public enum Verdict: String, WireEnum {
    /// Every test passed.
    case passed
    /// It built and some test failed.
    case failed
    /// It did not compile (or, for python, javascript and ruby, did not parse).
    case buildFailed = "build_failed"
    /// A limit ended the test step.
    case timeout
    /// The node or toolchain failed, not the candidate; retried elsewhere, never scored as the model's failure.
    case errored
    public static let wireName = "verdict"
}

public struct JobResult: Codable, Sendable, Hashable {
    public var taskID: String
    public var model: String
    public var verdict: Verdict
    /// What went wrong when the verdict is `errored`; null otherwise.
    public var error: String?
    public var steps: [StepResult]
    public var tests: [TestResult]
    public var testsPassed: Int
    public var testsTotal: Int
    public var findings: [Finding]
    public var usage: ResourceUsage
    /// Null when the job was not scored (an `errored` job never is).
    public var score: JobScore?
    /// Test-generation jobs only: how the candidate's tests fared against each mutant.
    public var mutants: [MutantOutcome]?
    public var mutantsKilled: Int?
    public var mutantsTotal: Int?

    public init(
        taskID: String, model: String, verdict: Verdict, error: String? = nil, steps: [StepResult] = [],
        tests: [TestResult] = [], testsPassed: Int = 0, testsTotal: Int = 0, findings: [Finding] = [],
        usage: ResourceUsage = ResourceUsage(), score: JobScore? = nil
    ) {
        self.taskID = taskID
        self.model = model
        self.verdict = verdict
        self.error = error
        self.steps = steps
        self.tests = tests
        self.testsPassed = testsPassed
        self.testsTotal = testsTotal
        self.findings = findings
        self.usage = usage
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case model, verdict, error, steps, tests
        case testsPassed = "tests_passed"
        case testsTotal = "tests_total"
        case findings, usage, score, mutants
        case mutantsKilled = "mutants_killed"
        case mutantsTotal = "mutants_total"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taskID = try container.decode(String.self, forKey: .taskID)
        model = try container.decode(String.self, forKey: .model)
        verdict = try container.decode(Verdict.self, forKey: .verdict)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        steps = try container.decodeIfPresent([StepResult].self, forKey: .steps) ?? []
        tests = try container.decodeIfPresent([TestResult].self, forKey: .tests) ?? []
        testsPassed = try container.decodeIfPresent(Int.self, forKey: .testsPassed) ?? 0
        testsTotal = try container.decodeIfPresent(Int.self, forKey: .testsTotal) ?? 0
        findings = try container.decodeIfPresent([Finding].self, forKey: .findings) ?? []
        usage = try container.decodeIfPresent(ResourceUsage.self, forKey: .usage) ?? ResourceUsage()
        score = try container.decodeIfPresent(JobScore.self, forKey: .score)
        mutants = try container.decodeIfPresent([MutantOutcome].self, forKey: .mutants)
        mutantsKilled = try container.decodeIfPresent(Int.self, forKey: .mutantsKilled)
        mutantsTotal = try container.decodeIfPresent(Int.self, forKey: .mutantsTotal)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(model, forKey: .model)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(error, forKey: .error)  // explicit null
        try container.encode(steps, forKey: .steps)
        try container.encode(tests, forKey: .tests)
        try container.encode(testsPassed, forKey: .testsPassed)
        try container.encode(testsTotal, forKey: .testsTotal)
        try container.encode(findings, forKey: .findings)
        try container.encode(usage, forKey: .usage)
        try container.encode(score, forKey: .score)  // explicit null
        // Only test-generation results carry these; every other result keeps DESIGN.md's exact keys.
        try container.encodeIfPresent(mutants, forKey: .mutants)
        try container.encodeIfPresent(mutantsKilled, forKey: .mutantsKilled)
        try container.encodeIfPresent(mutantsTotal, forKey: .mutantsTotal)
    }
}

/// One mutant of a test-generation task: killed when the candidate's tests do not pass on it.
public struct MutantOutcome: Codable, Sendable, Hashable {
    public var id: String
    public var killed: Bool
    public var verdict: Verdict
    public var failingTests: [String]

    public init(id: String, killed: Bool, verdict: Verdict, failingTests: [String]) {
        self.id = id
        self.killed = killed
        self.verdict = verdict
        self.failingTests = failingTests
    }

    enum CodingKeys: String, CodingKey {
        case id, killed, verdict
        case failingTests = "failing_tests"
    }
}
