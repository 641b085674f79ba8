import Foundation
import Testing

@testable import CrucibleAPI

@Suite("Enums: exact strings, unknown values rejected")
struct EnumDecodingTests {
    struct Vocabulary: Sendable, CustomTestStringConvertible {
        let name: String
        let values: [String]
        let decode: @Sendable (String) throws -> String

        init<E: WireEnum>(_ type: E.Type, _ values: String) {
            name = String(describing: type)
            self.values = values.split(separator: " ").map(String.init)
            decode = { raw in try JSONDecoder().decode(E.self, from: Data("\"\(raw)\"".utf8)).rawValue }
            allCases = E.allCases.map(\.rawValue)
        }

        let allCases: [String]
        var testDescription: String { name }
    }

    // The strings as DESIGN.md spells them.
    static let vocabularies = [
        Vocabulary(Language.self, "python typescript javascript go rust java csharp ruby"),
        Vocabulary(
            Scenario.self, "code-generation test-generation code-review refactoring debugging security documentation"),
        Vocabulary(Difficulty.self, "easy medium hard"),
        Vocabulary(TestMode.self, "framework program io"),
        Vocabulary(Verdict.self, "passed failed build_failed timeout errored"),
        Vocabulary(JobState.self, "queued leased running completed errored cancelled"),
        Vocabulary(RunState.self, "queued running completed cancelled"),
        Vocabulary(JudgeKind.self, "staff user self_review team_review"),
        Vocabulary(Role.self, "submitter operator agent admin"),
        Vocabulary(StepName.self, "build test quality"),
        Vocabulary(
            SandboxStatus.self,
            "ok exited signaled cpu_time_limit wall_time_limit memory_limit output_limit setup_error"),
        Vocabulary(LimitName.self, "cpu_time wall_time memory pids file_size output"),
        Vocabulary(TestStatus.self, "passed failed error skipped"),
        Vocabulary(FindingSeverity.self, "error warning info"),
        Vocabulary(ScoreComponent.self, "correctness quality efficiency speed"),
        Vocabulary(NodeState.self, "active draining drained offline"),
        Vocabulary(CgroupVersion.self, "v1 v2"),
        Vocabulary(RunEventType.self, "job_state step test score run_state"),
        Vocabulary(JobEventType.self, "job_state step test"),
        Vocabulary(HealthState.self, "ok unavailable"),
    ]

    @Test(arguments: vocabularies)
    func exactStrings(_ vocabulary: Vocabulary) throws {
        #expect(vocabulary.allCases == vocabulary.values)
        for value in vocabulary.values {
            #expect(try vocabulary.decode(value) == value)
        }
    }

    @Test(arguments: vocabularies)
    func unknownAndMiscasedValuesAreRejected(_ vocabulary: Vocabulary) {
        for bad in ["", "nonsense", vocabulary.values[0].uppercased(), " \(vocabulary.values[0])"] {
            #expect(throws: DecodingError.self) { try vocabulary.decode(bad) }
        }
    }

    @Test func unknownValueMessageListsTheChoices() {
        let error = decodeFailure(
            TaskSpec.self,
            #"{"id": "t", "language": "cobol", "scenario": "debugging", "difficulty": "easy", "prompt": "p"}"#)
        #expect(error?.first.field == "language")
        #expect(error?.first.code == .invalidTask)
        let choices = "python, typescript, javascript, go, rust, java, csharp, ruby"
        #expect(error?.first.message == "unknown language \"cobol\"; use one of: \(choices)")
    }

    @Test func parseForQueryParameters() throws {
        #expect(try Language.parse("go", field: "language").get() == .go)
        guard case .failure(let error) = Difficulty.parse("trivial", field: "difficulty") else {
            Issue.record("trivial is not a difficulty")
            return
        }
        #expect(
            error.first
                == ValidationIssue(
                    code: .invalidQuery, field: "difficulty", message: Difficulty.unknownValueMessage("trivial")))
        #expect(error.httpStatus == 400)
    }

    @Test func testModeDefaultsByLanguage() throws {
        #expect(TestMode.defaultMode(for: .java) == .program)
        #expect(TestMode.defaultMode(for: .csharp) == .program)
        #expect(TestMode.defaultMode(for: .python) == .framework)
        let task = try CrucibleJSON.decode(
            TaskSpec.self,
            from: Data(
                #"{"id": "j", "language": "java", "scenario": "code-generation", "difficulty": "easy", "prompt": "p"}"#
                    .utf8))
        #expect(task.testMode == .program)
        #expect(task.files.isEmpty && task.tests.isEmpty && task.ioCases.isEmpty && task.reference == nil)
    }

    @Test func workspaceConventions() {
        // DESIGN.md's table of file names, which task banks written elsewhere follow.
        let expected: [Language: (String, String)] = [
            .python: ("solution.py", "test_solution.py"), .javascript: ("solution.js", "solution.test.js"),
            .typescript: ("solution.ts", "solution.test.ts"), .go: ("solution.go", "solution_test.go"),
            .rust: ("src/lib.rs", "tests/solution_test.rs"), .java: ("Solution.java", "Main.java"),
            .csharp: ("Solution.cs", "Tests.cs"), .ruby: ("solution.rb", "test_solution.rb"),
        ]
        for language in Language.allCases {
            #expect(language.solutionFile == expected[language]?.0)
            #expect(language.testFile == expected[language]?.1)
        }
    }

    @Test func errorCodesMapToHTTPStatuses() {
        let statuses: [(ErrorCode, Int)] = [
            (.invalidRequest, 400), (.invalidTask, 400), (.invalidCandidate, 400), (.invalidRun, 400),
            (.invalidWeights, 400), (.invalidJudgement, 400), (.invalidQuery, 400), ("invalid_future", 400),
            (.unauthorized, 401), (.forbidden, 403), (.notFound, 404), (.conflict, 409), (.duplicateID, 409),
            (.staleLease, 409), (.tooLarge, 413), (.rateLimited, 429), (.internalError, 500),
            (.unavailable, 503), ("something_new", 500),
        ]
        for (code, status) in statuses {
            #expect(code.httpStatus == status, "\(code)")
        }
    }

    @Test func unknownErrorCodesStillDecode() throws {
        let envelope = try CrucibleJSON.decode(
            ErrorEnvelope.self,
            from: Data(#"{"error": {"code": "quota_exceeded", "message": "m", "field": null}}"#.utf8))
        #expect(envelope.error.code.rawValue == "quota_exceeded")
    }
}
