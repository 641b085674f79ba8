import Testing

@testable import CrucibleAPI

@Suite("Run submission validation")
struct RunValidationTests {
    static var good: RunSubmission {
        RunSubmission(
            name: "nightly", tasks: [Samples.task, Samples.ioTask], taskIDs: ["bank-task"],
            candidates: [
                Samples.candidate, Candidate(taskID: "go-echo", model: "acme/coder-7b:q4", files: ["solution.go": ""]),
                Candidate(taskID: "bank-task", model: "gpt-4o@2024-08-06", files: [:]),
            ])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let field: String
        let code: ErrorCode
        let change: @Sendable (inout RunSubmission) -> Void

        init(
            _ name: String, _ field: String, _ code: ErrorCode,
            _ change: @escaping @Sendable (inout RunSubmission) -> Void
        ) {
            self.name = name
            self.field = field
            self.code = code
            self.change = change
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case("empty name", "name", .invalidRun) { $0.name = "" },
        Case("name with a newline", "name", .invalidRun) { $0.name = "a\nb" },
        Case("no tasks at all", "tasks", .invalidRun) {
            $0.tasks = nil
            $0.taskIDs = []
        },
        Case("bad language-independent task field", "tasks[1].prompt", .invalidTask) { $0.tasks?[1].prompt = "" },
        Case("duplicate inline task", "tasks[2].id", .duplicateID) { $0.tasks?.append(Samples.task) },
        Case("bad bank id", "task_ids[0]", .invalidRun) {
            $0.taskIDs = ["no spaces"]
            $0.candidates.removeLast()
        },
        Case("bank id repeats an inline task", "task_ids[1]", .duplicateID) { $0.taskIDs?.append("go-echo") },
        Case("bank id listed twice", "task_ids[1]", .duplicateID) { $0.taskIDs?.append("bank-task") },
        Case("no candidates", "candidates", .invalidRun) { $0.candidates = [] },
        Case("candidate for an unknown task", "candidates[2].task_id", .invalidCandidate) {
            $0.candidates[2].taskID = "nope"
        },
        Case("candidate with a bad model", "candidates[0].model", .invalidCandidate) { $0.candidates[0].model = "" },
        Case("candidate model with spaces", "candidates[1].model", .invalidCandidate) {
            $0.candidates[1].model = "my model"
        },
        Case("candidate file escaping", #"candidates[0].files["../x"]"#, .invalidCandidate) {
            $0.candidates[0].files["../x"] = "boom"
        },
        Case("candidate file too large", #"candidates[1].files["solution.go"]"#, .tooLarge) {
            $0.candidates[1].files["solution.go"] = String(repeating: "x", count: 1024 * 1024 + 1)
        },
        Case("negative latency", "candidates[0].metadata.latency_ms", .invalidCandidate) {
            $0.candidates[0].metadata.latencyMS = -1
        },
        Case("negative cost", "candidates[0].metadata.cost_usd", .invalidCandidate) {
            $0.candidates[0].metadata.costUSD = -0.1
        },
        Case("negative tokens", "candidates[0].metadata.output_tokens", .invalidCandidate) {
            $0.candidates[0].metadata.outputTokens = -3
        },
        Case("unknown weight", #"weights["speeed"]"#, .invalidWeights) { $0.weights = ["speeed": 1, "quality": 1] },
        Case("negative weight", #"weights["quality"]"#, .invalidWeights) {
            $0.weights = ["correctness": 1, "quality": -1]
        },
        Case("NaN weight", #"weights["speed"]"#, .invalidWeights) { $0.weights = ["correctness": 1, "speed": .nan] },
        Case("weights summing to zero", "weights", .invalidWeights) { $0.weights = ["correctness": 0, "speed": 0] },
        Case("empty weights", "weights", .invalidWeights) { $0.weights = [:] },
    ]

    @Test(arguments: cases)
    func badSubmission(_ testCase: Case) {
        var submission = Self.good
        testCase.change(&submission)
        let issues = submission.validationIssues()
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.field == testCase.field)
        #expect(issues.first?.code == testCase.code)
    }

    @Test func goodSubmission() throws {
        try Self.good.validate()
        #expect(Self.good.allTaskIDs == ["py-fizzbuzz-easy", "go-echo", "bank-task"])
    }

    @Test func listCaps() {
        var limits = ValidationLimits()
        limits.maxCandidatesPerRun = 2
        limits.maxTasksPerRun = 2
        let issues = Self.good.validationIssues(limits: limits)
        #expect(issues.map(\.field) == ["tasks", "candidates"])
        #expect(issues.allSatisfy { $0.code == .tooLarge })
        #expect(CrucibleAPIError(issues)?.httpStatus == 413)
    }

    @Test func allErrorsAreCollectedInBodyOrder() throws {
        var submission = Self.good
        submission.name = ""
        submission.tasks?[0].language = .go  // still valid: language is only checked by decoding
        submission.tasks?[1].limits.pids = 0
        submission.candidates[0].files["/abs"] = ""
        submission.weights = ["bogus": 1]
        let error = try #require(throws: CrucibleAPIError.self) { try submission.validate() }
        #expect(
            error.issues.map(\.field) == [
                "name", "tasks[1].limits.pids", #"candidates[0].files["/abs"]"#, #"weights["bogus"]"#, "weights",
            ])
        #expect(error.envelope == ErrorEnvelope(code: .invalidRun, message: error.first.message, field: "name"))
    }

    @Test func weights() {
        var submission = Self.good
        #expect(submission.scoreWeights == .defaults)
        #expect(ScoreWeights.defaults.sum == 100)
        submission.weights = ["correctness": 1]
        #expect(submission.scoreWeights == ScoreWeights(correctness: 1, quality: 0, efficiency: 0, speed: 0))
        #expect(ScoreWeights.defaults.wireMap == ["correctness": 40, "quality": 25, "efficiency": 15, "speed": 20])
    }
}
