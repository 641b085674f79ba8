import Foundation
import Testing

@testable import CrucibleAPI

// A body that does not even decode gets the same treatment as one that fails validation: a code, the field
// path, and a message saying what to do.
@Suite("Decoding errors name the field")
struct DecodingErrorTests {
    static func task(_ overrides: String = "", language: String = "python") -> String {
        #"""
        {"id": "t1", "language": "\#(language)", "scenario": "code-generation", "difficulty": "easy", "prompt": "p",
         "tests": {"test_solution.py": "x"}\#(overrides)}
        """#
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let body: String
        let field: String?
        let code: ErrorCode
        let message: String
        var testDescription: String { field ?? "(root)" }
    }

    static let runCases: [Case] = [
        Case(
            body: #"{"name": "n", "tasks": [\#(task()), \#(task()), \#(task()), \#(task(language: "cobol"))], "#
                + #""candidates": []}"#,
            field: "tasks[3].language", code: .invalidTask, message: "unknown language \"cobol\""),
        Case(
            body: #"{"name": "n", "tasks": [\#(task(#", "test_mode": "unit""#))], "candidates": []}"#,
            field: "tasks[0].test_mode", code: .invalidTask, message: "unknown test_mode \"unit\""),
        Case(
            body: #"{"name": "n", "task_ids": ["a"], "#
                + #""candidates": [{"task_id": "a", "model": "m", "files": {"../x": 3}}]}"#,
            field: #"candidates[0].files["../x"]"#, code: .invalidCandidate, message: "must be a string"),
        Case(
            body: #"{"name": "n", "task_ids": ["a"], "candidates": [{"task_id": "a", "files": {}}]}"#,
            field: "candidates[0].model", code: .invalidCandidate, message: "is missing; add \"model\""),
        Case(
            body: #"{"name": "n", "task_ids": ["a"], "candidates": [], "weights": {"speed": "fast"}}"#,
            field: #"weights["speed"]"#, code: .invalidWeights, message: "must be a number"),
        Case(
            body: #"{"name": null, "task_ids": ["a"], "candidates": []}"#,
            field: "name", code: .invalidRun, message: "must not be null"),
        Case(
            body: #"{"name": "n", "task_ids": "a", "candidates": []}"#,
            field: "task_ids", code: .invalidRun, message: "must be an array"),
        Case(
            body: #"{"name": "n", "tasks": [\#(task(#", "io_cases": [{"stdin": ""}]"#))], "candidates": []}"#,
            field: "tasks[0].io_cases[0].expected_stdout", code: .invalidTask, message: "is missing"),
        Case(
            body: #"{"name": "n", "tasks": [\#(task(#", "limits": {"wall_time_s": "10s"}"#))], "candidates": []}"#,
            field: "tasks[0].limits.wall_time_s", code: .invalidTask, message: "must be a number"),
        Case(body: #"{"name": "n", "#, field: nil, code: .invalidRun, message: "not valid JSON"),
        Case(body: #"[1, 2]"#, field: nil, code: .invalidRun, message: "must be an object"),
    ]

    @Test(arguments: runCases)
    func runSubmission(_ testCase: Case) throws {
        let error = try #require(decodeFailure(RunSubmission.self, testCase.body))
        #expect(error.issues.count == 1)
        #expect(error.first.field == testCase.field)
        #expect(error.first.code == testCase.code)
        #expect(error.first.message.contains(testCase.message), "\(error.first.message)")
    }

    @Test func judgementKind() throws {
        let error = try #require(
            decodeFailure(JudgementRequest.self, #"{"job_id": "j", "kind": "peer_review", "score": 3}"#))
        #expect(error.first.field == "kind")
        #expect(error.first.code == .invalidJudgement)
        #expect(error.first.message.contains("use one of: staff, user, self_review, team_review"))
        #expect(error.envelope.error.field == "kind")
    }

    @Test func resultsUseIndexNotMapKeyForTheTestsArray() throws {
        // `tests` is a file map in a task but an array in a job result.
        let json = DesignExampleTests.jobResultJSON.replacingOccurrences(
            of: #""status": "failed""#, with: #""status": "flaky""#)
        let error = try #require(decodeFailure(JobResult.self, json))
        #expect(error.first.field == "tests[0].status")
    }

    @Test func badTimestamp() throws {
        let error = try #require(
            decodeFailure(
                RunStatus.self,
                #"""
                {"id": "r", "name": "n", "state": "queued",
                 "jobs": {"queued": 1, "leased": 0, "running": 0, "completed": 0, "errored": 0, "cancelled": 0},
                 "created_at": "yesterday", "completed_at": null}
                """#
            ))
        #expect(error.first.field == "created_at")
        #expect(error.first.message.contains("ISO 8601"))
    }

    @Test func eventTypeUnknown() throws {
        let error = try #require(
            decodeFailure(
                JobEventBatch.self,
                #"{"lease_id": "l", "events": [{"seq": 1, "at": "2025-01-31T12:00:00Z", "type": "log"}]}"#))
        #expect(error.first.field == "events[0].type")
    }

    @Test func fieldPathsQuoteOddKeys() {
        let path = FieldPath.root.field("candidates").index(0).field("files").key("a\"b\\c\n\u{0}")
        #expect(path.description == #"candidates[0].files["a\"b\\c\n\u0000"]"#)
        #expect(FieldPath.root.fieldValue == nil)
        #expect(FieldPath.root.index(2).field("verdict").description == "[2].verdict")
    }
}
