import Foundation
import Testing

@testable import CrucibleAPI

// Every JSON example of DESIGN.md, copied here literally (enum placeholders such as "passed | failed | …"
// replaced by one of their values), must decode and encode back to the same JSON object.
@Suite("DESIGN.md examples round-trip")
struct DesignExampleTests {
    @Test func task() throws {
        let task = try expectRoundTrip(
            TaskSpec.self,
            #"""
            {
              "id": "py-fizzbuzz-easy",
              "language": "python",
              "scenario": "code-generation",
              "difficulty": "easy",
              "prompt": "Write fizzbuzz(n) ...",
              "files": {"solution.py": "def fizzbuzz(n):\n    ...\n"},
              "tests": {"test_solution.py": "from solution import fizzbuzz\n..."},
              "test_mode": "framework",
              "io_cases": [],
              "reference": {"solution.py": "..."},
              "limits": {"wall_time_s": 10}
            }
            """#)
        #expect(task.language == .python)
        #expect(task.scenario == .codeGeneration)
        #expect(task.limits == TaskLimits(wallTimeS: 10))
        #expect(task.validationIssues().isEmpty)
    }

    @Test func ioCase() throws {
        let task = try expectRoundTrip(
            TaskSpec.self,
            #"""
            {"id": "rb-sum", "language": "ruby", "scenario": "debugging", "difficulty": "hard",
             "prompt": "Fix the sum", "files": {"solution.rb": "puts 1"}, "tests": {}, "test_mode": "io",
             "io_cases": [{"stdin": "1 2\n", "expected_stdout": "3\n", "weight": 1.5}],
             "reference": null, "limits": {}}
            """#)
        #expect(task.ioCases == [IOCase(stdin: "1 2\n", expectedStdout: "3\n", weight: 1.5)])
        #expect(task.validationIssues().isEmpty)
    }

    @Test func candidate() throws {
        let candidate = try expectRoundTrip(
            Candidate.self,
            #"""
            {"task_id": "py-fizzbuzz-easy", "model": "m1", "files": {"solution.py": "def fizzbuzz(n): ..."},
             "metadata": {"latency_ms": 1830, "cost_usd": 0.0042, "input_tokens": 512, "output_tokens": 128}}
            """#)
        #expect(candidate.metadata.outputTokens == 128)
    }

    @Test func runSubmissionAndReply() throws {
        let submission = try expectRoundTrip(
            RunSubmission.self,
            #"""
            {"name": "nightly",
             "tasks": [{"id": "py-fizzbuzz-easy", "language": "python", "scenario": "code-generation",
                        "difficulty": "easy", "prompt": "Write fizzbuzz(n) ...",
                        "files": {"solution.py": "def fizzbuzz(n):\n    ...\n"},
                        "tests": {"test_solution.py": "from solution import fizzbuzz\n..."},
                        "test_mode": "framework", "io_cases": [], "reference": {"solution.py": "..."},
                        "limits": {"wall_time_s": 10}}],
             "task_ids": ["go-reverse-medium"],
             "candidates": [{"task_id": "py-fizzbuzz-easy", "model": "m1", "files": {"solution.py": "x = 1"},
                             "metadata": {"latency_ms": 100, "cost_usd": null, "input_tokens": null,
                                          "output_tokens": null}},
                            {"task_id": "go-reverse-medium", "model": "m2", "files": {},
                             "metadata": {"latency_ms": null, "cost_usd": null, "input_tokens": null,
                                          "output_tokens": null}}],
             "weights": {"correctness": 40, "quality": 25, "efficiency": 15, "speed": 20}}
            """#)
        #expect(submission.validationIssues().isEmpty)
        #expect(submission.scoreWeights == .defaults)
        try expectRoundTrip(RunCreated.self, #"{"id": "r-20250131-1", "jobs": 2}"#)
    }

    @Test func runStatus() throws {
        let status = try expectRoundTrip(
            RunStatus.self,
            #"""
            {"id": "r-1", "name": "nightly", "state": "running",
             "jobs": {"queued": 3, "leased": 1, "running": 2, "completed": 10, "errored": 0, "cancelled": 0},
             "created_at": "2025-01-31T12:00:00Z", "completed_at": null}
            """#)
        #expect(status.jobs.total == 16)
        #expect(status.jobs.impliedRunState == .running)
        try expectRoundTrip(
            RunStatus.self,
            #"""
            {"id": "r-1", "name": "nightly", "state": "completed",
             "jobs": {"queued": 0, "leased": 0, "running": 0, "completed": 15, "errored": 1, "cancelled": 0},
             "created_at": "2025-01-31T12:00:00Z", "completed_at": "2025-01-31T12:03:07.250Z"}
            """#)
    }

    static let jobResultJSON = #"""
        {
          "task_id": "py-fizzbuzz-easy", "model": "m1",
          "verdict": "failed",
          "error": null,
          "steps": [{"name": "test", "status": "exited", "exit_code": 0,
                     "cpu_time_s": 0.4, "wall_time_s": 0.5, "peak_memory_bytes": 30000000,
                     "stdout": "…", "stderr": "…"}],
          "tests": [{"name": "test_fizz", "status": "failed",
                     "duration_s": 0.001, "message": null}],
          "tests_passed": 4, "tests_total": 5,
          "findings": [{"tool": "ruff", "rule": "F401", "severity": "error",
                        "path": "solution.py", "line": 3, "message": "…"}],
          "usage": {"cpu_time_s": 0.9, "wall_time_s": 1.1, "peak_memory_bytes": 30000000},
          "score": {"correctness": 80, "quality": 95, "efficiency": 70, "speed": 60, "automated": 77.5}
        }
        """#

    @Test func jobResult() throws {
        let result = try expectRoundTrip(JobResult.self, Self.jobResultJSON)
        #expect(result.verdict == .failed)
        #expect(result.steps.first?.status == .exited)
        #expect(result.score?.automated == 77.5)
        #expect(result.validationIssues().isEmpty)
    }

    @Test func jobResultEveryEnumValue() throws {
        // The example's placeholders, each value in turn.
        for verdict in Verdict.allCases {
            for (step, status) in zip(StepName.allCases, SandboxStatus.allCases) {
                let json = Self.jobResultJSON
                    .replacingOccurrences(of: #""verdict": "failed""#, with: #""verdict": "\#(verdict.rawValue)""#)
                    .replacingOccurrences(
                        of: #""name": "test", "status": "exited""#,
                        with: #""name": "\#(step.rawValue)", "status": "\#(status.rawValue)""#)
                let result = try expectRoundTrip(JobResult.self, json)
                #expect(result.verdict == verdict)
            }
        }
    }

    @Test func erroredJobResult() throws {
        let result = try expectRoundTrip(
            JobResult.self,
            #"""
            {"task_id": "t", "model": "m1", "verdict": "errored", "error": "toolchain python is broken on node-3",
             "steps": [], "tests": [], "tests_passed": 0, "tests_total": 0, "findings": [],
             "usage": {"cpu_time_s": 0, "wall_time_s": 0, "peak_memory_bytes": 0}, "score": null}
            """#)
        #expect(result.score == nil)
    }

    @Test func runResults() throws {
        let results = try expectRoundTrip(
            RunResults.self,
            #"""
            {"results": [
              {"job_id": "j-1", "state": "completed",
               "task_id": "py-fizzbuzz-easy", "model": "m1", "verdict": "passed", "error": null,
               "steps": [{"name": "build", "status": "ok", "exit_code": 0, "cpu_time_s": 0.1, "wall_time_s": 0.2,
                          "peak_memory_bytes": 1000, "stdout": "", "stderr": ""}],
               "tests": [{"name": "test_fizz", "status": "passed", "duration_s": null, "message": null}],
               "tests_passed": 1, "tests_total": 1, "findings": [],
               "usage": {"cpu_time_s": 0.1, "wall_time_s": 0.2, "peak_memory_bytes": 1000},
               "score": {"correctness": 100, "quality": 100, "efficiency": 50, "speed": 50, "automated": 82.5}},
              {"job_id": "j-2", "state": "queued",
               "task_id": "py-fizzbuzz-easy", "model": "m2", "verdict": null, "error": null,
               "steps": [], "tests": [], "tests_passed": 0, "tests_total": 0, "findings": [],
               "usage": {"cpu_time_s": 0, "wall_time_s": 0, "peak_memory_bytes": 0}, "score": null}
            ]}
            """#)
        #expect(results.results.map(\.jobID) == ["j-1", "j-2"])
        #expect(results.results[0].result?.verdict == .passed)
        #expect(results.results[1].result == nil)
        #expect(results.results[1].model == "m2")
    }

    @Test func judgement() throws {
        let request = try expectRoundTrip(
            JudgementRequest.self,
            #"{"job_id": "j-1", "kind": "team_review", "score": 72.5, "author": "qa-team", "comment": null}"#)
        #expect(request.kind == .teamReview)
        #expect(request.validationIssues().isEmpty)
        try expectRoundTrip(
            Judgement.self,
            #"""
            {"id": "jd-1", "job_id": "j-1", "kind": "staff", "score": 90, "author": "ana", "comment": "clean",
             "created_at": "2025-01-31T12:00:00Z"}
            """#)
    }

    @Test func leaderboard() throws {
        let board = try expectRoundTrip(
            Leaderboard.self,
            #"""
            {"entries": [{"rank": 1, "model": "m1", "score": 81.4, "ci_low": 77.9, "ci_high": 84.8,
                          "pass_rate": 0.8, "pass_at_1": 0.78, "jobs": 50, "mean_latency_ms": 1830.5,
                          "total_cost_usd": 0.21, "tied": false, "errored_jobs": 0, "p95_latency_ms": 2900,
                          "cost_per_passed_usd": 0.00525, "pass_at_k": {"1": 0.78, "10": 0.93}},
                         {"rank": 2, "model": "m2", "score": 60, "ci_low": 55, "ci_high": 65,
                          "pass_rate": 0.5, "pass_at_1": 0.5, "jobs": 50, "mean_latency_ms": null,
                          "total_cost_usd": null, "tied": true, "errored_jobs": 1, "p95_latency_ms": null, "cost_per_passed_usd": null,
                          "pass_at_k": {"1": 0.5, "10": null}}], "judge_agreement": 0.81}
            """#)
        #expect(board.entries.map(\.rank) == [1, 2])
        #expect(board.entries[1].passAtK["10"] == .some(nil), "a k without an estimate stays an explicit null")
    }

    @Test func errorEnvelope() throws {
        let envelope = try expectRoundTrip(
            ErrorEnvelope.self,
            #"{"error": {"code": "invalid_task", "message": "…", "field": "tasks[3].language"}}"#)
        #expect(envelope.error.code == .invalidTask)
        #expect(envelope.error.code.httpStatus == 400)
        try expectRoundTrip(ErrorEnvelope.self, #"{"error": {"code": "stale_lease", "message": "…", "field": null}}"#)
    }

    @Test func sandboxResultStatusStrings() throws {
        // `crucible sandbox run --json` status strings are the step statuses.
        let documented =
            "ok | exited | signaled | cpu_time_limit | wall_time_limit | memory_limit | output_limit | setup_error"
        #expect(SandboxStatus.allCases.map(\.rawValue) == documented.components(separatedBy: " | "))
        let limits = ["cpu_time", "wall_time", "memory", "pids", "file_size", "output"]
        #expect(LimitName.allCases.map(\.rawValue) == limits)
    }
}
