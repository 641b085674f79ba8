import Foundation

// A task: a problem with hidden tests. Called `TaskSpec` in Swift because `Task` would shadow Swift
// concurrency's `Task` in every module that imports this one; on the wire it is simply a task.

/// Relative path → UTF-8 text. Used for a task's files, tests and reference, and a candidate's files.
public typealias FileMap = [String: String]

public struct TaskSpec: Codable, Sendable, Hashable {
    public var id: String
    public var language: Language
    public var scenario: Scenario
    public var difficulty: Difficulty
    public var prompt: String
    /// The starting workspace; the candidate's files go over it.
    public var files: FileMap
    /// Hidden tests; they go over the candidate's files, so a candidate cannot replace them.
    public var tests: FileMap
    public var testMode: TestMode
    /// Only for `test_mode: io`; empty otherwise.
    public var ioCases: [IOCase]
    /// A known-good solution, used to check the task and as the efficiency baseline; null when there is none.
    public var reference: FileMap?
    public var limits: TaskLimits
    /// Test-generation tasks only: wrong implementations the candidate's tests should catch
    /// (each replaces the task's files). Absent for every other task.
    public var mutants: [Mutant]?

    public init(
        id: String, language: Language, scenario: Scenario = .codeGeneration, difficulty: Difficulty,
        prompt: String, files: FileMap = [:], tests: FileMap = [:], testMode: TestMode? = nil,
        ioCases: [IOCase] = [], reference: FileMap? = nil, limits: TaskLimits = TaskLimits()
    ) {
        self.id = id
        self.language = language
        self.scenario = scenario
        self.difficulty = difficulty
        self.prompt = prompt
        self.files = files
        self.tests = tests
        self.testMode = testMode ?? TestMode.defaultMode(for: language)
        self.ioCases = ioCases
        self.reference = reference
        self.limits = limits
    }

    enum CodingKeys: String, CodingKey {
        case id, language, scenario, difficulty, prompt, files, tests
        case testMode = "test_mode"
        case ioCases = "io_cases"
        case reference, limits, mutants
    }

    // id, language, scenario, difficulty and prompt are required; the rest have obvious defaults so hand-written
    // task banks stay short.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        language = try container.decode(Language.self, forKey: .language)
        scenario = try container.decode(Scenario.self, forKey: .scenario)
        difficulty = try container.decode(Difficulty.self, forKey: .difficulty)
        prompt = try container.decode(String.self, forKey: .prompt)
        files = try container.decodeIfPresent(FileMap.self, forKey: .files) ?? [:]
        tests = try container.decodeIfPresent(FileMap.self, forKey: .tests) ?? [:]
        testMode =
            try container.decodeIfPresent(TestMode.self, forKey: .testMode)
            ?? TestMode.defaultMode(for: language)
        ioCases = try container.decodeIfPresent([IOCase].self, forKey: .ioCases) ?? []
        reference = try container.decodeIfPresent(FileMap.self, forKey: .reference)
        limits = try container.decodeIfPresent(TaskLimits.self, forKey: .limits) ?? TaskLimits()
        mutants = try container.decodeIfPresent([Mutant].self, forKey: .mutants)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(language, forKey: .language)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(difficulty, forKey: .difficulty)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(files, forKey: .files)
        try container.encode(tests, forKey: .tests)
        try container.encode(testMode, forKey: .testMode)
        try container.encode(ioCases, forKey: .ioCases)
        try container.encode(reference, forKey: .reference)  // explicit null when there is no reference
        try container.encode(limits, forKey: .limits)
        try container.encodeIfPresent(mutants, forKey: .mutants)
    }
}

/// A deliberately wrong implementation for a test-generation task: good tests fail on it.
public struct Mutant: Codable, Sendable, Hashable {
    public var id: String
    public var files: FileMap

    public init(id: String, files: FileMap) {
        self.id = id
        self.files = files
    }
}

/// One stdin → expected stdout case of an `io` task. Output is compared after trimming trailing white space.
public struct IOCase: Codable, Sendable, Hashable {
    public var stdin: String
    public var expectedStdout: String
    /// This case's share of the correctness score; defaults to 1.
    public var weight: Double

    public init(stdin: String, expectedStdout: String, weight: Double = 1) {
        self.stdin = stdin
        self.expectedStdout = expectedStdout
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey {
        case stdin
        case expectedStdout = "expected_stdout"
        case weight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stdin = try container.decodeIfPresent(String.self, forKey: .stdin) ?? ""
        expectedStdout = try container.decode(String.self, forKey: .expectedStdout)
        weight = try container.decodeIfPresent(Double.self, forKey: .weight) ?? 1
    }
}

/// Per-task sandbox limits; each one absent means "the toolchain's default". Absent keys are omitted, so
/// `{"wall_time_s": 10}` round-trips unchanged.
public struct TaskLimits: Codable, Sendable, Hashable {
    public var cpuTimeS: Double?
    public var wallTimeS: Double?
    public var memoryBytes: Int?
    public var pids: Int?
    public var fileSizeBytes: Int?
    public var outputBytes: Int?

    public init(
        cpuTimeS: Double? = nil, wallTimeS: Double? = nil, memoryBytes: Int? = nil, pids: Int? = nil,
        fileSizeBytes: Int? = nil, outputBytes: Int? = nil
    ) {
        self.cpuTimeS = cpuTimeS
        self.wallTimeS = wallTimeS
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.fileSizeBytes = fileSizeBytes
        self.outputBytes = outputBytes
    }

    enum CodingKeys: String, CodingKey {
        case cpuTimeS = "cpu_time_s"
        case wallTimeS = "wall_time_s"
        case memoryBytes = "memory_bytes"
        case pids
        case fileSizeBytes = "file_size_bytes"
        case outputBytes = "output_bytes"
    }
}
